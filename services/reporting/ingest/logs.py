"""Each service's own log, read through its `notifications(after, limit)` RPC: the one log
reader behind the catch-up (on start and periodically, from the position recorded with
what it applied), the rebuild (from nothing, into a new schema), past moments (`until`)
and the reconciliation (`read_logs`). Notification ids have gaps (rolled-back inserts), so
the position is the log's own `next_after`, never "last id + 1"."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import eventlet
import kombu
import psycopg2
from marshmallow import ValidationError
from nameko.standalone.rpc import ClusterRpcProxy

from services.reporting.ingest import projections, tables
from services.reporting.ingest.feed import SOURCES, send_to_dead_letters
from shared.contracts import UnknownContract, parse_envelope
from shared.follow import pages


def catch_up(amqp_uri: str, dsn: str, sources: tuple[str, ...] = SOURCES,
             page: int = 1000, schema: str | None = None,
             until: datetime | None = None) -> dict[str, int]:
    """Apply every source's log from the position recorded in `schema` (default: the live
    read model); returns events applied per source. With `until`, only the events recorded
    by then (a report as of a past moment)."""
    applied: dict[str, int] = {}
    conn = psycopg2.connect(dsn)
    try:
        if schema is None:
            with conn, conn.cursor() as cur:
                schema = tables.current(cur)
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            for source in sources:
                applied[source] = _catch_up_source(conn, getattr(rpc, source), source, page,
                                                   schema, amqp_uri, until)
    finally:
        conn.close()
    return applied


def _catch_up_source(conn: Any, service: Any, source: str, page: int, schema: str,
                     amqp_uri: str, until: datetime | None = None) -> int:
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT after FROM {schema}.watermarks WHERE source = %s", (source,))
        row = cur.fetchone()
    applied, after = 0, row[0] if row else 0
    for reply in pages(service, after, page):
        envelopes = []
        seen = _already_applied(conn, schema, source, after, reply["next_after"])
        after = reply["next_after"]
        for message in reply["items"]:
            if message.get("notificationid") in seen:
                continue  # the live feed was first: no need to read it again
            try:
                envelope = parse_envelope(message)
            except (ValidationError, UnknownContract) as exc:
                # The log holds it for good; set it aside like the live feed would.
                with kombu.Connection(amqp_uri) as connection:
                    send_to_dead_letters(connection.Producer(), message,
                                         f"unreadable: {exc}", "unreadable")
                continue
            if until is None or envelope.time <= until:
                envelopes.append(envelope)
        if reply["items"]:
            # The page and the watermark past it commit together: one transaction a page.
            applied += len(projections.handle_batch(conn, envelopes, schema, watermark=(
                source, reply["next_after"])))
    return applied


def _already_applied(conn: Any, schema: str, source: str, after: int, upto: int) -> set[int]:
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT notification_id FROM {schema}.processed WHERE source = %s"
                    " AND notification_id > %s AND notification_id <= %s",
                    (source, after, upto))
        return {row[0] for row in cur.fetchall()}


def read_logs(amqp_uri: str, sources: tuple[str, ...] = SOURCES,
              page: int = 1000) -> list[Any]:
    """Every public event of every source, from its own log, in log order."""
    envelopes = []
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as rpc:
        for source in sources:
            for reply in pages(getattr(rpc, source), limit=page):
                envelopes += [parse_envelope(m) for m in reply["items"]]
    return envelopes


def sleep_until(deadline: float) -> None:
    while time.monotonic() < deadline:
        eventlet.sleep(min(1.0, deadline - time.monotonic()))
