"""Where a relay records the last notification id the broker confirmed, and where a log
follower (shared/follow.py) records how far it applied another service's log.

On PostgreSQL the position lives in the service's own database, and a session advisory lock
makes exactly one replica of a service the active relay: the others wait, and take over
within a poll interval if the leader's connection dies.
"""

from __future__ import annotations

import zlib
from typing import Protocol

import psycopg2

from shared import pgconnect

TABLE = "baqylau_relay_position"


class PositionStore(Protocol):
    def acquire(self) -> bool:
        """Try to become the active relay; True if this process is (or already was)."""

    def load(self) -> int:
        """The last confirmed notification id (0 before the first publication)."""

    def save(self, position: int) -> None:
        """Record a confirmed position; never moves backwards."""

    def release(self) -> None:
        """Give up the lock and close connections."""


class MemoryPositionStore:
    """For tests on SQLite or memory: one process, always the leader."""

    def __init__(self) -> None:
        self.position = 0

    def acquire(self) -> bool:
        return True

    def load(self) -> int:
        return self.position

    def save(self, position: int) -> None:
        self.position = max(self.position, position)

    def release(self) -> None:
        pass


class PostgresPositionStore:
    def __init__(self, dsn: str, relay_name: str) -> None:
        self.dsn = dsn
        self.relay_name = relay_name
        self.lock_key = zlib.crc32(f"baqylau-relay:{relay_name}".encode())
        self._conn: psycopg2.extensions.connection | None = None
        self._leader = False

    def _connection(self) -> psycopg2.extensions.connection:
        if self._conn is None or self._conn.closed:
            self._leader = False
            self._conn = pgconnect.connect(self.dsn)
            with self._conn, self._conn.cursor() as cur:
                # The relay and the log followers of one service (and its replicas) start
                # together: two CREATE TABLE IF NOT EXISTS at once may both try to create it.
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (TABLE,))
                cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                            " relay_name text PRIMARY KEY,"
                            " position bigint NOT NULL,"
                            " updated_at timestamptz NOT NULL DEFAULT now())")
            self._conn.autocommit = True
        return self._conn

    def _run(self, sql: str, params: tuple[object, ...]) -> tuple[object, ...] | None:
        try:
            with self._connection().cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchone() if cur.description else None
        except psycopg2.Error:
            self._drop_connection()
            raise

    def acquire(self) -> bool:
        if self._leader and self._conn is not None and not self._conn.closed:
            return True
        row = self._run("SELECT pg_try_advisory_lock(%s)", (self.lock_key,))
        self._leader = bool(row and row[0])
        return self._leader

    def load(self) -> int:
        row = self._run(f"SELECT position FROM {TABLE} WHERE relay_name = %s",
                        (self.relay_name,))
        return int(row[0]) if row else 0  # type: ignore[call-overload]

    def save(self, position: int) -> None:
        self._run(f"INSERT INTO {TABLE} (relay_name, position) VALUES (%s, %s) "
                  "ON CONFLICT (relay_name) DO UPDATE SET "
                  f"position = GREATEST({TABLE}.position, EXCLUDED.position), "
                  "updated_at = now()", (self.relay_name, position))

    def release(self) -> None:
        self._drop_connection()

    def _drop_connection(self) -> None:
        # Closing the session releases the advisory lock: another replica may take over.
        self._leader = False
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg2.Error:
                pass
        self._conn = None
