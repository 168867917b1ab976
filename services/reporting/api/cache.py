"""Computed reports kept until their programme's figures change.

A report is a dozen aggregate queries over the read model; at a million events each answer
took most of a second, and fifty funders' dashboards asking at once queued behind each other.
Every batch the read model applies bumps, in the same transaction, the version of each
programme whose figures its events change, or the model's own version when they may change
any programme's (tables.bump). A programme's version is the sum of the two, so (schema,
version, key) names one state of the programme exactly: a cached report is never stale, a
rebuild (a new schema) or a new event of the programme makes its next request compute
afresh, and the events of one programme leave every other programme's answers cached.
A report also depends on the day (its progress lines run to today, IATI's activity status
says whether the programme is over), so the day is part of the key too.
A past moment reads the live model through views (ingest/past.py), so its version is the
live one with the moment beside it: an event recorded before the moment that arrives late
changes that moment's report too. When many requests miss at once, one computes and the
others wait for its result.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Hashable

from eventlet.event import Event
from prometheus_client import Counter
from psycopg2.sql import SQL

from services.reporting.figures.daily import today
from services.reporting.ingest.tables import VERSION_OF, q

CACHE_LOOKUPS = Counter("baqylau_report_cache_total", "Report cache lookups by outcome",
                        ["outcome"])


def version(cur: Any, schema: str, programme_id: str) -> int:
    """The programme's version (tables.bump)."""
    cur.execute(q("SELECT " + VERSION_OF, schema, p=SQL("%s")), (programme_id,))
    row = cur.fetchone()
    return int(row[0] or 0) if row else 0


def state(cur: Any, schema: str, programme_id: str) -> tuple[int, str]:
    """The programme's version and the moment the transaction reads it as of
    (ingest/past.py; '' if live), in one statement: what a cached report is keyed by."""
    cur.execute(q("SELECT " + VERSION_OF + ", current_setting('baqylau.as_of', true)",
                  schema, p=SQL("%s")), (programme_id,))
    row = cur.fetchone()
    return (int(row[0] or 0), str(row[1] or "")) if row else (0, "")


class ReportCache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, Event] = {}

    def peek(self, schema: str, version: int, programme_id: str, key: Hashable) -> Any | None:
        """The value cached for this exact state, or None. Found, it counts as a `fast_hit`
        (served after one statement, with no transaction); not found, nothing is counted,
        since the caller goes on to `get`, which counts its own outcome. Live model only."""
        full_key = (schema, version, "", today(), programme_id, key)
        value = self._entries.get(full_key)
        if value is not None:
            self._entries.move_to_end(full_key)
            CACHE_LOOKUPS.labels("fast_hit").inc()
        return value

    def get(self, cur: Any, schema: str, programme_id: str, key: Hashable,
            compute: Callable[[], Any]) -> Any:
        """`key` names the answer within the programme's state (the endpoint, its
        arguments); the programme is part of the key."""
        full_key = (schema, *state(cur, schema, programme_id), today(), programme_id, key)
        while True:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                CACHE_LOOKUPS.labels("hit").inc()
                return self._entries[full_key]
            running = self._computing.get(full_key)
            if running is None:
                break
            running.wait()  # another request computes this very state; share its answer
        CACHE_LOOKUPS.labels("miss").inc()
        done = self._computing[full_key] = Event()
        try:
            value = compute()
            self._entries[full_key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value
        finally:
            del self._computing[full_key]
            done.send(None)
