"""Idempotent consumption: a handler's effects and the record that the event was handled
commit in one PostgreSQL transaction, so a redelivered event is a no-op.

    processed = ProcessedEvents(conn)
    processed.handle_once(envelope, lambda cur: cur.execute("UPDATE ...", ...))
"""

from __future__ import annotations

from typing import Callable

import psycopg2.extensions

from shared.contracts.envelope import Envelope

TABLE = "baqylau_processed_events"

Handler = Callable[[psycopg2.extensions.cursor], None]


class ProcessedEvents:
    def __init__(self, conn: psycopg2.extensions.connection) -> None:
        self.conn = conn
        with conn, conn.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ("
                        " source text NOT NULL,"
                        " notification_id bigint NOT NULL,"
                        " event_type text NOT NULL,"
                        " processed_at timestamptz NOT NULL DEFAULT now(),"
                        " PRIMARY KEY (source, notification_id))")

    def handle_once(self, envelope: Envelope, handler: Handler) -> bool:
        """Run `handler` in a transaction with the processed-event record.

        Returns False (and changes nothing) if this (source, notification id) was already
        handled. If the handler raises, neither its writes nor the record are kept.
        """
        with self.conn, self.conn.cursor() as cur:
            cur.execute(f"INSERT INTO {TABLE} (source, notification_id, event_type) "
                        "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        (envelope.source, envelope.notificationid, envelope.type))
            if cur.rowcount == 0:
                return False
            handler(cur)
        return True

    def handled(self, source: str) -> list[int]:
        """Notification ids already handled from `source`, ascending (for gap checks)."""
        with self.conn, self.conn.cursor() as cur:
            cur.execute(f"SELECT notification_id FROM {TABLE} WHERE source = %s "
                        "ORDER BY notification_id", (source,))
            return [row[0] for row in cur.fetchall()]
