"""The daily history of every programme's figures, for the dashboard's trends.

After each periodic catch-up, today's figures (a day is a day in Kazakhstan, UTC+5) are
written over today's row, so each past day keeps the figures it ended with. The table
lives outside the read model's schema, like the tokens, so a rebuild keeps the history.
Days before the service ran are not in it; `?as_of=` answers for any of them.

A write that changes any stored figure bumps one version (`CHANGES`), in the same
transaction: with the database's date, it names the state of every series, which is what
a drawn dashboard is cached by (api/access.py serves one after a single statement). The
bump is a trigger's, so a replica whose code predates it (a rolling upgrade) bumps it too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.reporting.figures import catalogue, reports
from services.reporting.figures.moments import KAZAKHSTAN
from services.reporting.ingest import tables
from services.reporting.ingest.tables import q

TABLE = "reporting_daily_figures"
CHANGES = "reporting_daily_changes"
# The tables are made by the migration steps (services/reporting/migrations.py); the
# trigger that bumps the version is the code's.
DDL = f"""
CREATE OR REPLACE FUNCTION {CHANGES}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {CHANGES} SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER {TABLE}_inserted AFTER INSERT ON {TABLE}
  FOR EACH ROW EXECUTE FUNCTION {CHANGES}_bump();
CREATE OR REPLACE TRIGGER {TABLE}_changed AFTER UPDATE ON {TABLE}
  FOR EACH ROW WHEN (OLD.value IS DISTINCT FROM NEW.value) EXECUTE FUNCTION {CHANGES}_bump();
"""


def today() -> date:
    return datetime.now(KAZAKHSTAN).date()


def record(cur: Any, day: date | None = None) -> int:
    """Write every programme's figures as today's; returns the rows that changed."""
    schema = tables.current(cur)
    cur.execute(q("SELECT programme_id FROM {s}.programmes", schema))
    rows = []
    for (programme_id,) in cur.fetchall():
        figures = reports.figures(cur, programme_id, schema)
        money = reports.money(cur, programme_id, schema)
        figures |= {k: money[k] for k in ("committed_kzt", "procured_kzt")}
        rows += [(day or today(), programme_id, name, value) for name, value in figures.items()]
    if not rows:
        return 0
    days, programmes, names, values = (list(column) for column in zip(*rows, strict=True))
    cur.execute(f"INSERT INTO {TABLE} AS d SELECT * FROM unnest(%s::date[], %s::text[], "
                "%s::text[], %s::bigint[]) ON CONFLICT (programme_id, figure, day) DO UPDATE "
                "SET value = EXCLUDED.value WHERE d.value <> EXCLUDED.value RETURNING 1",
                (days, programmes, names, values))
    return len(cur.fetchall())


def stamp(cur: Any) -> tuple[int, date]:
    """The series' version and the database's date (a series' window ends there): read
    before the series, so a page drawn from it is never filed under a newer stamp."""
    cur.execute(f"SELECT (SELECT version FROM {CHANGES} WHERE id = 1), current_date")
    version, day = cur.fetchone()
    return int(version or 0), day


def series(cur: Any, programme_id: str, days: int = 90) -> dict[str, list[tuple[date, Any]]]:
    """figure -> [(day, value)] for the last `days` days, oldest first; a percentage from
    its two counts of the same day."""
    cur.execute(f"SELECT figure, day, value FROM {TABLE} WHERE programme_id = %s "
                "AND day > current_date - %s ORDER BY figure, day", (programme_id, days))
    out: dict[str, list[tuple[date, Any]]] = {}
    for figure, day, value in cur.fetchall():
        out.setdefault(figure, []).append((day, int(value)))
    for share, (numerator, denominator) in catalogue.shares().items():  # each day's fraction
        of = dict(out.get(denominator, []))
        points = [(day, catalogue.percentage(n, of[day])) for day, n in out.get(numerator, [])
                  if of.get(day)]
        if points:
            out[share] = points
    return out
