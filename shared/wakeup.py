"""Wake the relay when any process commits events to this service's store.

A save in the relay's own process wakes it directly. A save by another replica, or by a
bulk loader, would otherwise wait for the relay's next poll (a second by default): that
was the floor under the projection lag. A statement trigger on the events table sends a
PostgreSQL NOTIFY, which PostgreSQL delivers only when the inserting transaction commits,
so the relay never wakes to find nothing, and a rolled-back insert wakes nobody.
"""

from __future__ import annotations

import logging
import select
import threading
from typing import Callable

import psycopg2
import psycopg2.extensions

from shared import pgconnect

log = logging.getLogger(__name__)


def channel_of(service: str) -> str:
    return f"baqylau_{service}_events"


def install_trigger(dsn: str, service: str) -> None:
    """Create (or keep) the trigger on `<service>_events`, eventsourcing's table."""
    table, channel = f"{service}_events", channel_of(service)
    conn = pgconnect.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            # Two replicas starting at once must not race on CREATE OR REPLACE.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (channel,))
            cur.execute(f"CREATE OR REPLACE FUNCTION {channel}_notify() RETURNS trigger "
                        f"LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{channel}', ''); "
                        "RETURN NULL; END $$")
            cur.execute(f"CREATE OR REPLACE TRIGGER {channel} AFTER INSERT ON {table} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {channel}_notify()")
    finally:
        conn.close()


class CommitListener:
    """LISTENs on the service's channel and calls `on_commit()` for each burst of commits.
    Survives database restarts: it reconnects with a back-off and wakes the relay once, in
    case commits happened while it was away."""

    def __init__(self, dsn: str, service: str, on_commit: Callable[[], None],
                 idle_timeout: float = 5.0) -> None:
        self.dsn = dsn
        self.channel = channel_of(service)
        self.on_commit = on_commit
        self.idle_timeout = idle_timeout
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run_forever(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                self._listen()
            except Exception as exc:  # noqa: BLE001 - a database outage, or anything: retry
                log.warning("commit listener %s: %s: %s; reconnecting in %.1fs",
                            self.channel, type(exc).__name__, exc, backoff)
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 15.0)

    def _listen(self) -> None:
        conn = pgconnect.connect(self.dsn, connect_timeout=5)
        try:
            conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            conn.cursor().execute(f"LISTEN {self.channel}")
            self.on_commit()
            while not self._stopping.is_set():
                # Green under eventlet: waiting here blocks nothing else in the service.
                readable, _, _ = select.select([conn], [], [], self.idle_timeout)
                conn.poll()
                if conn.notifies:
                    conn.notifies.clear()
                    self.on_commit()
        finally:
            conn.close()
