"""Each service's own log, read through its `notifications(after, limit)` RPC: the one log
reader behind the catch-up (on start and periodically, from the position recorded with
what it applied), the rebuild (from nothing, into a new schema) and the reconciliation
(`stream_logs`, a page at a time). Notification ids have gaps (rolled-back inserts), so
the position is the log's own `next_after`, never "last id + 1"."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Iterator, Mapping

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
    stopped short) TooNew is raised, once every source has stopped.

    The sources are read side by side, each on its own connections: while one source's
    page waits on PostgreSQL another's is decoded, so the database's core and this
    process's both work (psycopg2 is green under eventlet: a query yields)."""
    schema = schema or _live_schema(dsn)
    applied: dict[str, int] = {}
    failures: list[Exception] = []

    def follow(source: str) -> None:
        try:
            applied[source] = _catch_up_source(dsn, amqp_uri, source, page, schema,
                                               readable, too_new, lambda: bool(failures))
        except TooNew as exc:
            applied[source] = 0
            if too_new is not None:
                log.warning("catch-up of %s stopped short, waiting for this consumer's "
                            "upgrade: %s", source, exc)
                return
            failures.append(exc)  # the round has failed: the others stop at their next page
        except Exception as exc:  # noqa: BLE001 - raised below, once every source stopped
            failures.append(exc)

    followers = [eventlet.spawn(follow, source) for source in sources]
    try:
        for follower in followers:
            follower.wait()
    except BaseException:  # this thread stopped (the service stops): so do its sources
        for follower in followers:
            follower.kill()
        raise
    if failures:
        raise failures[0]
    return {source: applied[source] for source in sources}


def _live_schema(dsn: str) -> str:
    conn = pgconnect.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            return tables.current(cur)
    finally:
        conn.close()


def _catch_up_source(dsn: str, amqp_uri: str, source: str, page: int, schema: str,
                     readable: Mapping[str, int] | None, too_new: TooNewWait | None,
                     round_failed: Callable[[], bool]) -> int:
    """One source's log, a page at a time. Each page is applied in a green thread of its
    own while the next one is read and decoded; pages commit in log order, each with its
    watermark (one apply in flight), so a stop at any point leaves a consistent position."""
    conn, peek = pgconnect.connect(dsn), pgconnect.connect(dsn)
    in_flight: Any = None
    applied = 0
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30,
                             declare_exchange=True) as rpc:
            with peek, peek.cursor() as cur:
                cur.execute(q("SELECT after FROM {s}.watermarks WHERE source = %s", schema),
                            (source,))
                row = cur.fetchone()
            after = row[0] if row else 0
            for reply in pages(getattr(rpc, source), after, page):
                if round_failed():  # another source failed: this round ends here
                    break
                seen = _already_applied(peek, schema, source, after, reply["next_after"])
                after = reply["next_after"]
                envelopes, unread = _readable(reply["items"], seen, readable, too_new)
                if in_flight is not None:
                    applied += in_flight.wait()
                    in_flight = None
                for message, reason, kind in unread:  # once the page before has committed
                    _set_aside(amqp_uri, message, reason, kind)
                if reply["items"]:
                    # The page and the watermark past it commit together.
                    in_flight = eventlet.spawn(_apply_page, conn, envelopes, schema,
                                               (source, after))
    finally:
        try:
            if in_flight is not None:
                applied += in_flight.wait()
        finally:
            conn.close()
            peek.close()
    return applied


def _apply_page(conn: Any, envelopes: list[Envelope], schema: str,
                watermark: tuple[str, int]) -> int:
    return len(projections.handle_batch(conn, envelopes, schema, watermark=watermark))


def _readable(items: list[dict[str, Any]], seen: set[int],
              readable: Mapping[str, int] | None, too_new: TooNewWait | None
              ) -> tuple[list[Envelope], list[tuple[dict[str, Any], str, str]]]:
    """A page's envelopes, but those the live feed already applied (`seen`); and those to
    set aside as the live feed would (message, reason, kind): an unreadable one, or one
    too new past its wait."""
    envelopes, unread = [], []
    for message in items:
        if message.get("notificationid") in seen:
            continue  # the live feed was first: no need to read it again
        try:
            envelopes.append(read_envelope(message, readable))
        except Unreadable as exc:
            unread.append((message, f"unreadable: {exc}", "unreadable"))
        except TooNew as exc:
            if too_new is None or too_new.decide(exc) is not None:
                raise
            unread.append((message, too_new.reason(exc), "too_new"))
    return envelopes, unread


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
