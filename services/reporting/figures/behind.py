"""The events behind a figure of a report, paged, from the read model itself.

Every fact row keeps the event that made it count (ingest/facts.py), so the list of those
events, each with what it adds, is a query: it sums to the figure, whatever the size of
the logs, and a past moment's model answers for that moment in the same way. The
reconciliation shows that the figures are the logs'.

Pages follow a cursor over a total order (an event's source and id, the part of a
percentage, what the line is), never an offset: one score sheet's event stands behind
many pupils, and an offset over an order with ties repeats some of them and loses others.
A big figure's page is read from an index in that order (keyset.py, paging.py), so that
it costs what a page costs; the figure's totals, kept per model state, are its own query.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Callable, Hashable

from psycopg2 import sql

from services.reporting.figures import keyset
from services.reporting.figures.catalogue import CATALOGUE, percentage
from services.reporting.figures.paging import (
    Key,
    in_key_order,
    indexed_page,
    sorted_page,
    their_events,
)
from services.reporting.ingest.tables import q
from shared.contracts.envelope import source_of


def _charged(table: str) -> str:
    """Money charged to a commitment the model has (reports.money's lines are its
    commitments): while catching up, spending may arrive before its commitment."""
    return (f" AND EXISTS (SELECT 1 FROM {{s}}.commitments c WHERE c.commitment_id ="
            f" {table}.commitment_id AND c.programme_id = {table}.programme_id)")


PROCURED = ("SELECT procured_src AS src, procured_nid AS nid, cost_kzt AS value,"
            " jsonb_build_object('cabinet_id', cabinet_id::text, 'commitment_id',"
            " commitment_id) AS fields, procured_on AS day FROM {s}.cabinets cb"
            " WHERE programme_id = %(p)s"
            " AND coalesce(allocated, true) AND cost_kzt IS NOT NULL" + _charged("cb"))
EXPENDITURE = ("SELECT by_src AS src, by_nid AS nid, amount_kzt AS value, jsonb_build_object("
               "'commitment_id', commitment_id, 'reference', reference, 'category', category)"
               " AS fields, spent_on AS day FROM {s}.expenditures x WHERE programme_id = %(p)s"
               + _charged("x"))
DISBURSED = ("SELECT by_src AS src, by_nid AS nid, amount_kzt AS value,"
             " jsonb_build_object('commitment_id', commitment_id, 'reference',"
             " reference) AS fields, disbursed_on AS day FROM {s}.disbursements d"
             " WHERE programme_id = %(p)s" + _charged("d"))
COMMITTED = ("SELECT by_src AS src, by_nid AS nid, amount_kzt AS value,"
             " jsonb_build_object('commitment_id', commitment_id, 'funder_id',"
             " funder_id) AS fields, committed_on AS day FROM {s}.commitments"
             " WHERE programme_id = %(p)s")
SPENT = f"{PROCURED} UNION ALL {EXPENDITURE}"
MONEY = {
    "committed_kzt": COMMITTED,
    "disbursed_kzt": DISBURSED,
    "procured_kzt": PROCURED,
    "expenditure_kzt": EXPENDITURE,
    # What was spent: the cabinets and the other spending.
    "spent_kzt": SPENT,
    # What is left: each commitment adds, each spending takes away.
    "remaining_kzt": f"{COMMITTED} UNION ALL SELECT src, nid, -value, fields, day"
                     f" FROM ({SPENT}) spent",
}
FIRST_PAGE = (None, "", "0", 0)  # an older client's `after=0` asks for the first page
LONGEST_CURSOR = 2000
BIGINT = (-(2 ** 63), 2 ** 63 - 1)


def figures() -> list[str]:
    """Every figure whose events can be asked for: the indicators and the money totals."""
    return [*CATALOGUE, *MONEY]


def query(figure: str) -> str:
    """The figure's events, each with the part of a percentage it counts in (or NULL)."""
    entry = CATALOGUE.get(figure)
    if entry is None:
        return f"SELECT *, NULL AS part FROM ({MONEY[figure]}) money"
    if entry.parts is None:
        return f"SELECT *, NULL AS part FROM ({entry.events}) counted"
    numerator, denominator = (CATALOGUE[name].events for name in entry.parts)
    return (f"SELECT *, 'numerator' AS part FROM ({numerator}) n UNION ALL"
            f" SELECT *, 'denominator' AS part FROM ({denominator}) d")


def cursor(src: str | None, nid: int | None, part: str | None, fields: str) -> str:
    """The opaque `after` that asks for the lines after this one (its key, as `order`)."""
    key = json.dumps([src or "", nid or 0, part or "", fields], ensure_ascii=False,
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def after_key(after: str | int | None) -> list[Any] | None:
    """The line a cursor names (None: the first page); ValueError for anything this module
    did not make, an old offset other than 0 included."""
    if after in FIRST_PAGE:
        return None
    if not isinstance(after, str) or len(after) > LONGEST_CURSOR:
        raise ValueError("not a cursor")
    try:
        key = json.loads(base64.b64decode(after + "=" * (-len(after) % 4), altchars=b"-_",
                                          validate=True))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor") from None
    if not (isinstance(key, list) and len(key) == 4 and _a_notification_id(key[1])
            and all(_storable(key[i]) for i in (0, 2, 3))):
        raise ValueError("not a cursor")
    return key


def _a_notification_id(value: Any) -> bool:
    """A bigint, as the read model keeps a notification id."""
    return isinstance(value, int) and not isinstance(value, bool) and \
        BIGINT[0] <= value <= BIGINT[1]


def _storable(value: Any) -> bool:
    """Text PostgreSQL takes as a parameter: JSON may spell a NUL or a lone surrogate
    ("\\u0000", "\\ud800"), which no key of ours holds and the database refuses."""
    return isinstance(value, str) and "\x00" not in value and not any(
        "\ud800" <= c <= "\udfff" for c in value)


NO_EVENT = (None,) * 5  # a line whose event the model has not applied: none known
Remember = Callable[[Hashable, Callable[[], Any]], Any]
Totals = dict[str | None, tuple[int, int]]
# The events (src, nid) of a figure's first and last lines in the pages' order; None: no lines.
Ends = tuple[Key, Key] | None


def page(cur: Any, schema: str, programme_id: str, figure: str, after: str | int | None,
         limit: int, recorded_after: datetime | None = None,
         remember: Remember = lambda key, compute: compute()) -> dict[str, Any]:
    """The figure, how many events stand behind it, and `limit` of them after the line
    the cursor `after` names (None, "" or 0: from the first), in log order; `next_after`
    is the next page's cursor, None on the last page. With `recorded_after`, only the
    events recorded since then (what changed a figure after an approval). `remember`
    keeps the totals for the model's state (the report cache), so that the next pages
    only read their own events."""
    key = after_key(after)
    since = "" if recorded_after is None else (
        " WHERE EXISTS (SELECT 1 FROM {s}.processed e WHERE e.source = x.src"
        " AND e.notification_id = x.nid AND e.recorded_at > %(since)s)")
    events = q("SELECT x.* FROM (" + query(figure) + ") x" + since, schema)
    params = {"p": programme_id, "since": recorded_after, "limit": limit + 1,
              **dict(zip(("src", "nid", "part", "fields"), key or [None] * 4, strict=True))}
    cur.execute("SET LOCAL work_mem = '64MB'")  # a figure's events sorted in memory
    totals, ends = remember(("figure-lines", programme_id, figure, recorded_after),
                            lambda: _totals(cur, events, params))
    fast = None if recorded_after is not None else keyset.lines(figure, schema)
    if fast is None:
        rows = sorted_page(cur, events, key, params)
    else:  # a big figure: from an index, up to its last line (none: no lines)
        rows = [] if ends is None else indexed_page(cur, fast, key, ends, params)
    events_of = their_events(cur, schema, rows[:limit])
    lines = [{"source": source_of(src), "notification_id": nid, "type": kind,
              "time": recorded.isoformat() if recorded else None, "recorded_by": by,
              "imported_from": {"file": file, "sha256": digest} if file else None,
              "value": int(value), "fields": fields, **({"part": part} if part else {})}
             for src, nid, value, fields, part, _ in rows[:limit]
             for kind, recorded, by, file, digest in [events_of.get((src, nid), NO_EVENT)]]
    last_shown = rows[limit - 1] if len(rows) > limit else None
    return {**_figure(figure, totals), "count": sum(n for n, _ in totals.values()),
            "events": lines,
            "next_after": None if last_shown is None else cursor(
                last_shown[0], last_shown[1], last_shown[4], last_shown[5])}


def _totals(cur: Any, events: sql.Composed, params: dict[str, Any]) -> tuple[Totals, Ends]:
    """Each part's count and sum, and the events of the figure's first and last lines:
    where a page read from an index (keyset.py) starts and stops, rather than at the ends
    of the table."""
    cur.execute(sql.SQL("SELECT part, src, count(*), coalesce(sum(value), 0), min(nid),"
                        " max(nid) FROM ({}) x GROUP BY 1, 2").format(events), params)
    totals: Totals = {}
    keys: list[Key] = []
    for part, src, n, total, least, most in cur.fetchall():
        count, sum_ = totals.get(part, (0, 0))
        totals[part] = (count + int(n), sum_ + int(total))
        if src is not None and least is not None:
            keys += [(src, int(least)), (src, int(most))]
    ends = (min(keys, key=in_key_order), max(keys, key=in_key_order)) if keys else None
    return totals, ends


def _figure(figure: str, totals: dict[str | None, tuple[int, int]]) -> dict[str, Any]:
    entry = CATALOGUE.get(figure)
    if entry is None or entry.parts is None:
        return {"figure": totals.get(None, (0, 0))[1]}
    parts = {part: totals.get(part, (0, 0))[1] for part in ("numerator", "denominator")}
    return {"figure": percentage(parts["numerator"], parts["denominator"]), **parts}
