"""The events behind a figure of a report, paged, from the read model itself.

Every fact row keeps the event that made it count (ingest/facts.py), so the list of those
events, each with what it adds, is a query: it sums to the figure, whatever the size of
the logs, and a past moment's model answers for that moment in the same way. The
reconciliation shows that the figures are the logs'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Hashable

from services.reporting.figures.catalogue import CATALOGUE, percentage
from services.reporting.ingest.tables import q
from shared.contracts.envelope import source_of

PROCURED = ("SELECT procured_src AS src, procured_nid AS nid, cost_kzt AS value,"
            " jsonb_build_object('cabinet_id', cabinet_id::text, 'commitment_id',"
            " commitment_id) AS fields, procured_on AS day FROM {s}.cabinets"
            " WHERE programme_id = %(p)s"
            " AND coalesce(allocated, true) AND cost_kzt IS NOT NULL")
EXPENDITURE = ("SELECT by_src AS src, by_nid AS nid, amount_kzt AS value, jsonb_build_object("
               "'commitment_id', commitment_id, 'reference', reference, 'category', category)"
               " AS fields, spent_on AS day FROM {s}.expenditures WHERE programme_id = %(p)s")
MONEY = {
    "committed_kzt": "SELECT by_src AS src, by_nid AS nid, amount_kzt AS value,"
                     " jsonb_build_object('commitment_id', commitment_id, 'funder_id',"
                     " funder_id) AS fields, committed_on AS day FROM {s}.commitments"
                     " WHERE programme_id = %(p)s",
    "disbursed_kzt": "SELECT by_src AS src, by_nid AS nid, amount_kzt AS value,"
                     " jsonb_build_object('commitment_id', commitment_id, 'reference',"
                     " reference) AS fields, disbursed_on AS day FROM {s}.disbursements"
                     " WHERE programme_id = %(p)s",
    "procured_kzt": PROCURED,
    "expenditure_kzt": EXPENDITURE,
    # What was spent: the cabinets and the other spending.
    "spent_kzt": f"{PROCURED} UNION ALL {EXPENDITURE}",
}


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


Remember = Callable[[Hashable, Callable[[], Any]], Any]


def page(cur: Any, schema: str, programme_id: str, figure: str, after: int, limit: int,
         recorded_after: datetime | None = None,
         remember: Remember = lambda key, compute: compute()) -> dict[str, Any]:
    """The figure, how many events stand behind it, and `limit` of them from `after`
    (in log order); `next_after` is None on the last page. With `recorded_after`, only the
    events recorded since then (what changed a figure after an approval). `remember`
    keeps the totals for the model's state (the report cache), so that the next pages
    only read their own events."""
    since = "" if recorded_after is None else (
        " WHERE EXISTS (SELECT 1 FROM {s}.processed e WHERE e.source = x.src"
        " AND e.notification_id = x.nid AND e.recorded_at > %(since)s)")
    events = q("SELECT x.* FROM (" + query(figure) + ") x" + since, schema)
    params = {"p": programme_id, "since": recorded_after, "limit": limit, "after": after}
    cur.execute("SET LOCAL work_mem = '64MB'")  # a figure's events sorted in memory

    def totals_now() -> dict[str | None, tuple[int, int]]:
        cur.execute(q("SELECT part, count(*), coalesce(sum(value), 0) FROM ({e}) x GROUP BY 1",
                      schema, e=events), params)
        return {part: (int(n), int(total)) for part, n, total in cur.fetchall()}
    totals = remember(("figure-totals", programme_id, figure, recorded_after), totals_now)
    # The page first, then each of its events' type, time and who recorded it: a hundred
    # lookups, not one per event behind the figure.
    cur.execute(q("SELECT x.src, x.nid, e.event_type, e.recorded_at, e.recorded_by,"
                  " e.source_file, e.source_sha256, x.value, x.fields, x.part"
                  " FROM (SELECT * FROM ({e}) x ORDER BY src, nid, part"
                  " LIMIT %(limit)s OFFSET %(after)s) x"
                  " LEFT JOIN {s}.processed e ON e.source = x.src AND e.notification_id = x.nid"
                  " ORDER BY x.src, x.nid, x.part", schema, e=events), params)
    lines = [{"source": source_of(src), "notification_id": nid, "type": kind,
              "time": recorded.isoformat() if recorded else None, "recorded_by": by,
              "imported_from": {"file": file, "sha256": digest} if file else None,
              "value": int(value), "fields": fields, **({"part": part} if part else {})}
             for src, nid, kind, recorded, by, file, digest, value, fields, part
             in cur.fetchall()]
    count = sum(n for n, _ in totals.values())
    end = after + limit
    return {**_figure(figure, totals), "count": count, "events": lines,
            "next_after": end if end < count else None}


def _figure(figure: str, totals: dict[str | None, tuple[int, int]]) -> dict[str, Any]:
    entry = CATALOGUE.get(figure)
    if entry is None or entry.parts is None:
        return {"figure": totals.get(None, (0, 0))[1]}
    parts = {part: totals.get(part, (0, 0))[1] for part in ("numerator", "denominator")}
    return {"figure": percentage(parts["numerator"], parts["denominator"]), **parts}
