"""The events behind a figure of a report, paged, from the read model itself.

Every fact row keeps the event that made it count (ingest/facts.py), so the list of those
events, each with what it adds, is a query: it sums to the figure, whatever the size of
the logs, and a past moment's model answers for that moment in the same way. The
reconciliation shows that the figures are the logs'.

Pages follow a cursor over a total order (an event's source and id, the part of a
percentage, what the line is), never an offset: one score sheet's event stands behind
many pupils, and an offset over an order with ties repeats some of them and loses others.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Callable, Hashable

from services.reporting.figures.catalogue import CATALOGUE, percentage
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


def order(x: str) -> str:
    """The key of the lines of `x`, in the pages' order. Total: no two lines of a figure
    share an event, a part and fields (tests/reporting/test_figure_events.py pages every
    figure a line at a time). "C": one order whatever the database's locale, in the sort
    and in the comparison with the cursor."""
    return (f"(coalesce({x}.src, '') COLLATE \"C\", coalesce({x}.nid, 0),"
            f" coalesce({x}.part, '') COLLATE \"C\", {x}.fields::text COLLATE \"C\")")


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


Remember = Callable[[Hashable, Callable[[], Any]], Any]


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

    def totals_now() -> dict[str | None, tuple[int, int]]:
        cur.execute(q("SELECT part, count(*), coalesce(sum(value), 0) FROM ({e}) x GROUP BY 1",
                      schema, e=events), params)
        return {part: (int(n), int(total)) for part, n, total in cur.fetchall()}
    totals = remember(("figure-totals", programme_id, figure, recorded_after), totals_now)
    # The page first, then each of its events' type, time and who recorded it: a hundred
    # lookups, not one per event behind the figure.
    after_it = "" if key is None else (
        f" WHERE {order('x')} > (%(src)s, %(nid)s, %(part)s, %(fields)s)")
    cur.execute(q("SELECT x.src, x.nid, e.event_type, e.recorded_at, e.recorded_by,"
                  " e.source_file, e.source_sha256, x.value, x.fields, x.part, x.fields::text"
                  f" FROM (SELECT * FROM ({{e}}) x{after_it} ORDER BY {order('x')}"
                  " LIMIT %(limit)s) x"
                  " LEFT JOIN {s}.processed e ON e.source = x.src AND e.notification_id = x.nid"
                  f" ORDER BY {order('x')}", schema, e=events), params)
    rows = cur.fetchall()
    lines = [{"source": source_of(src), "notification_id": nid, "type": kind,
              "time": recorded.isoformat() if recorded else None, "recorded_by": by,
              "imported_from": {"file": file, "sha256": digest} if file else None,
              "value": int(value), "fields": fields, **({"part": part} if part else {})}
             for src, nid, kind, recorded, by, file, digest, value, fields, part, _
             in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return {**_figure(figure, totals), "count": sum(n for n, _ in totals.values()),
            "events": lines,
            "next_after": None if last is None else cursor(last[0], last[1], last[9],
                                                           last[10])}


def _figure(figure: str, totals: dict[str | None, tuple[int, int]]) -> dict[str, Any]:
    entry = CATALOGUE.get(figure)
    if entry is None or entry.parts is None:
        return {"figure": totals.get(None, (0, 0))[1]}
    parts = {part: totals.get(part, (0, 0))[1] for part in ("numerator", "denominator")}
    return {"figure": percentage(parts["numerator"], parts["denominator"]), **parts}
