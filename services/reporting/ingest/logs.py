"""Each service's own log, read through its `notifications(after, limit)` RPC: the one log
reader behind the catch-up (on start and periodically, from the position recorded with
what it applied), the rebuild (from nothing, into a new schema) and the reconciliation
(`stream_logs`, a page at a time). Notification ids have gaps (rolled-back inserts), so
the position is the log's own `next_after`, never "last id + 1"."""

from __future__ import annotations

import logging
import time
from typing import Any, Iterator, Mapping

import eventlet
import kombu

from services.reporting.ingest import projections, tables
from services.reporting.ingest.feed import SOURCES, send_to_dead_letters
from services.reporting.ingest.tables import q
from shared import pgconnect
from shared.calling import ClusterRpcProxy
from shared.contracts import TooNew, parse_envelope
from shared.contracts.envelope import Envelope
from shared.follow import pages
from shared.poison import Unreadable, read_envelope
from shared.reading import TooNewWait

log = logging.getLogger(__name__)


def catch_up(amqp_uri: str, dsn: str, sources: tuple[str, ...] = SOURCES,
             page: int = 1000, schema: str | None = None,
             readable: Mapping[str, int] | None = None,
             too_new: TooNewWait | None = None) -> dict[str, int]:
    """Apply every source's log from the position recorded in `schema` (default: the live
    read model) at the contract versions this consumer reads (`readable`); returns events
    applied per source. An event newer than it reads raises TooNew before its page
    commits: that source stops there and the next round (after an upgrade) reads it again;
    the other sources go on. Given `too_new`, past its deadline such an event is set aside
    and the source moves on; without it (a rebuild, which must not switch to a model that
    stopped short) TooNew is raised."""
    applied: dict[str, int] = {}
    conn = pgconnect.connect(dsn)
    try:
        if schema is None:
            with conn, conn.cursor() as cur:
                schema = tables.current(cur)
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30, declare_exchange=True) as rpc:
            for source in sources:
                try:
                    applied[source] = _catch_up_source(conn, getattr(rpc, source), source,
                                                       page, schema, amqp_uri, readable,
                                                       too_new)
                except TooNew as exc:
                    if too_new is None:
                        raise
                    log.warning("catch-up of %s stopped short, waiting for this consumer's "
                                "upgrade: %s", source, exc)
                    applied[source] = 0
    finally:
        conn.close()
    return applied


def _catch_up_source(conn: Any, service: Any, source: str, page: int, schema: str,
                     amqp_uri: str, readable: Mapping[str, int] | None,
                     too_new: TooNewWait | None) -> int:
    with conn, conn.cursor() as cur:
        cur.execute(q("SELECT after FROM {s}.watermarks WHERE source = %s", schema), (source,))
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
                envelope = read_envelope(message, readable)
            except Unreadable as exc:
                # The log holds it for good; set it aside like the live feed would.
                _set_aside(amqp_uri, message, f"unreadable: {exc}", "unreadable")
                continue
            except TooNew as exc:
                if too_new is None or too_new.decide(exc) is not None:
                    raise
                _set_aside(amqp_uri, message, too_new.reason(exc), "too_new")
                continue
            envelopes.append(envelope)
        if reply["items"]:
            # The page and the watermark past it commit together: one transaction a page.
            applied += len(projections.handle_batch(conn, envelopes, schema, watermark=(
                source, reply["next_after"])))
    return applied


def _set_aside(amqp_uri: str, message: dict[str, Any], reason: str, kind: str) -> None:
    with kombu.Connection(amqp_uri) as connection:
        send_to_dead_letters(connection.Producer(), message, reason, kind)


def _already_applied(conn: Any, schema: str, source: str, after: int, upto: int) -> set[int]:
    with conn, conn.cursor() as cur:
        cur.execute(q("SELECT notification_id FROM {s}.processed WHERE source = %s"
                      " AND notification_id > %s AND notification_id <= %s", schema),
                    (source, after, upto))
        return {row[0] for row in cur.fetchall()}


def stream_logs(amqp_uri: str, sources: tuple[str, ...] = SOURCES, page: int = 1000,
                readable: Mapping[str, int] | None = None) -> Iterator[Envelope]:
    """Every public event of every source, from its own log, in log order, a page at a
    time: only the page being read is held."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60, declare_exchange=True) as rpc:
        for source in sources:
            for reply in pages(getattr(rpc, source), limit=page):
                yield from (parse_envelope(m, readable=readable) for m in reply["items"])


def read_logs(amqp_uri: str, sources: tuple[str, ...] = SOURCES,
              page: int = 1000) -> list[Envelope]:
    """The same, all at once (for a test or a small store)."""
    return list(stream_logs(amqp_uri, sources, page))


def sleep_until(deadline: float) -> None:
    while time.monotonic() < deadline:
        eventlet.sleep(min(1.0, deadline - time.monotonic()))
