"""shared.postgres against the real PostgreSQL: a pooled connection whose prepared statements
the server no longer has (as an interrupted session leaves it; eventsourcing's stock datastore
then refuses the command on it) is replaced and the command succeeds on a fresh one; a pooled
connection the server ended (as a restart does) is replaced before use, without the round
trip before every use that pre-ping costs."""

import time

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from psycopg_pool import ConnectionPool

from shared.config import event_store_env
from shared.postgres import server_has_left
from tests.conftest import admin_connection

pytestmark = pytest.mark.integration


class Visit(Aggregate):
    def __init__(self, school: str) -> None:
        self.school = school


class Visits(Application):
    name = "visits"


def one_connection(store: dict, module: str) -> Visits:
    # The pool's first connection waits up to connect_timeout. A CI run once timed out at
    # the default 5 s while making the app, before the test had done anything (the server
    # logged no error): these tests are about replacing connections, not about how fast
    # the first one comes, so it gets 30 s.
    env = event_store_env({"EVENT_STORE": {**store, "pool_size": 1, "max_overflow": 0,
                                           "connect_timeout": 30}})
    if module:
        env["PERSISTENCE_MODULE"] = module
    return Visits(env)


def forget_prepared_statements_on_the_server(app: Visits) -> int:
    """DEALLOCATE each by name: psycopg notices only DEALLOCATE ALL, so its list of what the
    session has prepared is now out of step with the server, as an interrupted session
    leaves it."""
    with app.factory.datastore.get_connection() as conn:
        names = [row["name"] for row in conn.execute(
            "SELECT name FROM pg_prepared_statements", prepare=False)]
        for name in names:
            conn.execute(f'DEALLOCATE "{name}"', prepare=False)
    return len(names)


def test_a_connection_out_of_step_with_the_server_is_replaced_and_the_save_succeeds(
        pg_databases):
    app = one_connection(pg_databases(), module="")
    app.save(Visit("school-1"))
    assert forget_prepared_statements_on_the_server(app) > 0
    second = Visit("school-2")
    app.save(second)  # retried on a fresh connection
    assert app.repository.get(second.id).school == "school-2"
    app.save(Visit("school-3"))
    assert len(app.recorder.select_notifications(start=1, limit=10)) == 3


def backend_pid(app: Visits) -> int:
    """The pid of the server process behind the pooled connection, as libpq knows it (no
    round trip: a dead connection still tells its old one)."""
    with app.factory.datastore.get_connection() as conn:
        return conn.info.backend_pid


def gone(cur, pid: int, timeout: float = 10) -> None:
    """Wait until the server process has ended: pg_terminate_backend only signals it, and on
    a busy machine its goodbye reached the client after the check had looked."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
        if cur.fetchone() == (0,):
            return
        time.sleep(0.01)
    raise AssertionError(f"server process {pid} still there after {timeout} s")


def test_a_pooled_connection_the_server_ended_is_replaced_before_use(pg_databases):
    app = one_connection(pg_databases(), module="")
    app.save(Visit("school-1"))
    ended = backend_pid(app)
    admin = admin_connection()
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (ended,))
            assert cur.fetchone() == (True,)
            gone(cur, ended)
    finally:
        admin.close()
    assert backend_pid(app) != ended  # replaced when handed out, before anything was sent
    second = Visit("school-2")
    app.save(second)
    assert app.repository.get(second.id).school == "school-2"


def test_an_ended_session_is_told_by_its_socket_and_a_live_one_costs_no_round_trip(
        pg_databases, monkeypatch):
    def no_round_trip(conn):
        raise AssertionError("a live idle connection was pinged")

    store = pg_databases()
    conn = psycopg.connect(host=store["host"], port=store["port"], dbname=store["dbname"],
                           user=store["user"], password=store["password"], autocommit=True)
    try:
        pid = conn.info.backend_pid
        with monkeypatch.context() as patch:
            patch.setattr(ConnectionPool, "check_connection", staticmethod(no_round_trip))
            assert not server_has_left(conn)
        admin = admin_connection()
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
        finally:
            admin.close()
        deadline = time.monotonic() + 10
        while not server_has_left(conn):  # the termination notice is on its way
            assert time.monotonic() < deadline, "the ended session never showed on its socket"
            time.sleep(0.05)
    finally:
        conn.close()
