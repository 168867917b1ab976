"""The outbox column: each stored event's public contract data, made once, at save time.

Why: the relay and the `notifications` RPC turned every stored event into its envelope each
time they read it (decode the event, translate, load and dump the contract: ~57 µs an event,
the largest cost on the source side of a rebuild and of the relay). Now the mapper, which
holds the domain event anyway when it saves it, translates and validates it once
(ContractMap.public_record) and the recorder writes the result in the same row, in the same
transaction, as the event itself. An event its contract refuses fails its own save rather
than stopping the relay later.

A row without it (stored before the column existed, or by code that does not write it)
holds NULL, and is served as before, from the decoded event. So are the in-memory and
SQLite stores: they keep eventsourcing's own recorders, and this mapper writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from uuid import UUID

from eventsourcing.domain import CanSnapshotAggregate, DomainEventProtocol
from eventsourcing.persistence import (
    InterfaceError,
    Mapper,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from shared.access.caller import provenance
from shared.contracts.mapping import ContractMap

COLUMN = "public"


@dataclass(frozen=True)
class OutboxStoredEvent(StoredEvent):
    public: str | None = None  # ContractMap.public_record's text


@dataclass(frozen=True)
class OutboxNotification(Notification):
    public: str | None = None


class OutboxMapper(Mapper[UUID]):
    """eventsourcing's mapper, adding the public record to each event it stores, once the
    application has found its recorder writes the column (`contracts` set)."""

    contracts: ContractMap | None = None

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        snapshot = isinstance(domain_event, CanSnapshotAggregate)
        if not snapshot:
            # Who caused it (shared/access/caller.py), kept with the event's own state so
            # that every way of reading it back (the record, the decoded event) has it.
            for key, value in provenance().items():
                object.__setattr__(domain_event, key, value)
        stored = super().to_stored_event(domain_event)
        if self.contracts is None or snapshot:
            return stored  # snapshots go to their own table, and are never published
        return OutboxStoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=stored.state,
            public=self.contracts.public_record(domain_event),
        )


class OutboxRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, with the outbox column: added to a
    table made before it, written by every insert, read by `select_notifications`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(self._add_column_statement())
        table = Identifier(self.datastore.schema, self.events_table_name)
        self.insert_outbox_statement = SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state, {column})"
            " SELECT originator_id, originator_version, topic, state, {column}"
            " FROM unnest(%s::{event_type}[], %b::text[])"
            " AS e(originator_id, originator_version, topic, state, {column})"
            " RETURNING notification_id"
        ).format(table=table, column=Identifier(COLUMN),
                 event_type=Identifier(self.datastore.schema, self.stored_event_type_name))

    def _add_column_statement(self) -> Composed:
        # Looked up first: ALTER TABLE takes the table's strongest lock even when the column
        # is there, and every replica runs this at start, beside the others' saves.
        return SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM information_schema.columns"
            " WHERE table_schema = {schema_name} AND table_name = {table_name}"
            " AND column_name = {column_name}) THEN"
            " ALTER TABLE {table} ADD COLUMN {column} text; END IF; END $$"
        ).format(schema_name=self.datastore.schema, table_name=self.events_table_name,
                 column_name=COLUMN, column=Identifier(COLUMN),
                 table=Identifier(self.datastore.schema, self.events_table_name))

    # -------------------------------------------------------------- writing
    def _insert_stored_events(self, curs: Cursor[DictRow],
                              stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        self._insert_rows(curs, stored_events)

    def _insert_rows(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        """The events and their public records, as eventsourcing's insert (lock and NOTIFY
        taken by the caller), its RETURNING read by `_fetch_ids_after_insert_events`."""
        events = [self.construct_pg_stored_event(e.originator_id, e.originator_version,
                                                 e.topic, e.state) for e in stored_events]
        # The records go in binary (%b): in text, pure-Python psycopg escapes every quote of
        # the JSON, ~45 µs an event, more than making the record.
        records = [getattr(e, "public", None) for e in stored_events]
        curs.execute(self.insert_outbox_statement, (events, records))

    # -------------------------------------------------------------- reading
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]:
        """eventsourcing's select_notifications, with each row's public record."""
        conditions, params = [], []
        if start is not None:
            conditions.append(SQL("notification_id >= %s" if inclusive_of_start
                                  else "notification_id > %s"))
            params.append(start)
        if stop is not None:
            conditions.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            conditions.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        statement = SQL("SELECT * FROM {table}").format(
            table=Identifier(self.datastore.schema, self.events_table_name))
        if conditions:
            statement += SQL(" WHERE ") + SQL(" AND ").join(conditions)
        statement += SQL(" ORDER BY notification_id LIMIT %s")
        params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [OutboxNotification(
                id=row["notification_id"], originator_id=row["originator_id"],
                originator_version=row["originator_version"], topic=row["topic"],
                state=bytes(row["state"]), public=row[COLUMN]) for row in curs.fetchall()]
