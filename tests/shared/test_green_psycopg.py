"""psycopg's C build never blocks the eventlet hub: while one greenthread waits on the
server (a slow query, a connect to a server that does not answer, a pooled save through
eventsourcing), another keeps its beat. The C build's own wait function polls in C, out of
eventlet's sight, which would stop every other greenthread of the service for as long as the
server takes; `shared.postgres` swaps it for psycopg's select-based wait."""

import itertools
import socket
import time

import eventlet
import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

import shared.postgres  # noqa: F401  (its import is what makes psycopg's waits green)
from shared.config import event_store_env
from tests.conftest import dsn_of

pytestmark = pytest.mark.integration

BEAT = 0.01
LONGEST_SILENCE = 0.1  # a blocked hub shows as a silence as long as the server's wait
SERVER_WAIT = 0.5


class Visit(Aggregate):
    def __init__(self, school: str) -> None:
        self.school = school


class Visits(Application):
    name = "visits"


def longest_silence_while(work) -> float:
    """Run `work` in this greenthread while another one beats; the longest gap between
    two beats, in seconds."""
    beats: list[float] = []
    running = True

    def beat() -> None:
        while running:
            beats.append(time.monotonic())
            eventlet.sleep(BEAT)

    drummer = eventlet.spawn(beat)
    eventlet.sleep(BEAT)
    try:
        work()
    finally:
        beats.append(time.monotonic())  # a hub that never let it beat again: all silence
        running = False
        drummer.wait()
    return max(later - earlier for earlier, later in itertools.pairwise(beats))


def test_the_c_build_is_the_driver_in_use_with_the_select_based_wait():
    # Otherwise the tests below would prove only the pure-Python build green.
    assert psycopg.pq.__impl__ == "binary"
    assert psycopg.waiting.wait is psycopg.waiting.wait_select


def test_a_slow_query_lets_other_greenthreads_run(pg_database):
    with psycopg.connect(dsn_of(pg_database)) as conn:
        silence = longest_silence_while(
            lambda: conn.execute("SELECT pg_sleep(%s)", [SERVER_WAIT]))
    assert silence < LONGEST_SILENCE, f"the hub stood still for {silence:.3f} s"


def test_a_connect_to_a_silent_server_lets_other_greenthreads_run():
    # A listening socket that accepts and never answers: psycopg waits for the server's
    # first word until its connect timeout, on the selector it bound at import (green
    # only if eventlet patched before psycopg was imported: this guards that order).
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]

        def connect() -> None:
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(host="127.0.0.1", port=port, connect_timeout=1)

        silence = longest_silence_while(connect)
    assert silence < LONGEST_SILENCE, f"the hub stood still for {silence:.3f} s"


def test_a_save_through_eventsourcing_lets_other_greenthreads_run(pg_database):
    app = Visits(event_store_env({"EVENT_STORE": {**pg_database, "pool_size": 2}}))
    app.save(Visit("school-1"))  # the pool's connections are made before the clock

    def save_while_the_table_is_locked() -> None:
        # Another session holds the events table; the save waits for it on the server.
        with psycopg.connect(dsn_of(pg_database)) as holder:
            holder.execute("LOCK TABLE visits_events IN EXCLUSIVE MODE")
            release = eventlet.spawn_after(SERVER_WAIT, holder.rollback)
            started = time.monotonic()
            app.save(Visit("school-2"))
            release.wait()
            assert time.monotonic() - started >= SERVER_WAIT * 0.9

    silence = longest_silence_while(save_while_the_table_is_locked)
    app.close()
    assert silence < LONGEST_SILENCE, f"the hub stood still for {silence:.3f} s"
