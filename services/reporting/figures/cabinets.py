"""The report's `cabinets` section: whether the equipment works, in total and per school.

The totals that are catalogue figures (working, faults, cabinets below the internet need)
are counted by the catalogue's own SQL (cabinet_figures.py), so the section, the
indicator, its events and the reconciliation say the same. A school's internet is its
slowest commissioned cabinet's: a school is below the need if any cabinet is.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median
from typing import Any

from services.reporting.figures import cabinet_figures, schools
from services.reporting.figures.cabinet_figures import (
    ALLOCATED,
    BROKEN,
    CABINETS,
    FAULTS,
    INTERNET_NEED_MBPS,
    OPEN,
    RESOLVED,
    SLOW,
)
from services.reporting.ingest.tables import q

COUNTED = {"working": "cabinets_working", "faults_reported": "faults_reported",
           "faults_open": "faults_open", "faults_resolved": "faults_resolved",
           "cabinets_below_need": "cabinets_below_internet_need"}

STEPS = f"""SELECT count(*), count(*) FILTER (WHERE c.delivered),
       count(*) FILTER (WHERE c.commissioned),
       count(DISTINCT c.organisation_id) FILTER (WHERE {SLOW}) {CABINETS}"""

SPEEDS = f"SELECT c.internet_mbps {CABINETS} AND c.commissioned AND c.internet_mbps IS NOT NULL"

DAYS_TO_RESOLVE = f"SELECT f.resolved_on - f.reported_on {FAULTS} AND {RESOLVED}"

SCHOOLS = f"""WITH cab AS (
  SELECT c.organisation_id, c.commissioned, c.internet_mbps, {BROKEN} AS broken
    FROM {{s}}.cabinets c {ALLOCATED}),
flt AS (
  SELECT f.organisation_id, count(*) FILTER (WHERE {OPEN}) AS open,
         count(*) FILTER (WHERE {RESOLVED}) AS resolved
    {FAULTS} GROUP BY 1)
SELECT cab.organisation_id, {schools.COLUMNS}, count(*),
       count(*) FILTER (WHERE cab.commissioned),
       count(*) FILTER (WHERE cab.commissioned AND NOT cab.broken),
       coalesce(max(flt.open), 0), coalesce(max(flt.resolved), 0),
       min(cab.internet_mbps) FILTER (WHERE cab.commissioned)
  FROM cab LEFT JOIN flt USING (organisation_id)
  {schools.joins("cab.organisation_id")}
 GROUP BY cab.organisation_id, o.name_ru, pa.district_code, o.district_code, pl.place_code,
          pl.name_kk, pl.name_ru, pl.name_en"""
SCHOOL_FIGURES = ("cabinets", "commissioned", "working", "faults_open", "faults_resolved")


def _number(value: Decimal | None) -> str | None:
    """A measurement as people write it: 8.4, 12 (never 1.2E+1)."""
    if value is None:
        return None
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tenth(value: Any) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.1"),
                                                                   ROUND_HALF_EVEN))


def _column(cur: Any, template: str, schema: str, p: str) -> list[Any]:
    cur.execute(q(template, schema), {"p": p})
    return [row[0] for row in cur.fetchall()]


def section(cur: Any, programme_id: str, schema: str) -> dict[str, Any]:
    """The working state of a programme's cabinets (zeros and [] when it has none)."""
    p = {"p": programme_id}
    entries = {i.name: i for i in cabinet_figures.indicators()}
    counts = {}
    for key, name in COUNTED.items():
        cur.execute(q(entries[name].actual, schema), p)
        counts[key] = int(cur.fetchone()[0])
    cur.execute(q(STEPS, schema), p)
    allocated, delivered, commissioned, slow_schools = cur.fetchone()
    days = _column(cur, DAYS_TO_RESOLVE, schema, programme_id)
    speeds = _column(cur, SPEEDS, schema, programme_id)
    return {"internet_need_mbps": _number(INTERNET_NEED_MBPS),
            "allocated": allocated, "delivered": delivered, "commissioned": commissioned,
            **counts,
            "days_to_resolve_median": _tenth(median(days)) if days else None,
            "days_to_resolve_max": max(days) if days else None,
            "internet_mbps_median": _tenth(median(speeds)) if speeds else None,
            "schools_below_need": slow_schools,
            "schools": school_lines(cur, programme_id, schema)}


def school_lines(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    """Per school with a cabinet: open faults first, then the slowest internet, then id."""
    cur.execute(q(SCHOOLS, schema), {"p": programme_id})
    lines = []
    for organisation_id, *row in cur.fetchall():
        head, figures = row[:schools.WIDTH], row[schools.WIDTH:]
        slowest = figures[-1]
        lines.append({**schools.named(organisation_id, head),
                      **dict(zip(SCHOOL_FIGURES, map(int, figures[:-1]), strict=True)),
                      "internet_mbps": _number(slowest), "_slowest": slowest})
    lines.sort(key=lambda line: (-line["faults_open"], line["_slowest"] is None,
                                 line["_slowest"] or 0, line["organisation_id"]))
    for line in lines:
        del line["_slowest"]
    return lines
