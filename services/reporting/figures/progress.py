"""Progress over the programme's own time: each indicator's value at the end of every month
from the programme's start, by the facts' own dates (completed on, delivered on, adopted
on…), not by when they reached the platform, so a programme loaded in one go still shows
its history. A unit made of several facts (a teacher with two courses, a pupil in two
rounds) counts from the earliest of its own dates, whichever fact was recorded first (the
catalogue's `day`). A percentage is drawn over its whole population (its denominator as
the report counts it): month by month, the share of the programme's teachers holding a
category by then. The line ends at the report's figure: a fact dated before the start
counts from the first month, and one with no date (a model from before version 3, until
its rebuild) too."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from services.reporting.figures import behind
from services.reporting.figures.catalogue import CATALOGUE, percentage
from services.reporting.ingest.tables import q


def months(start: date, end: date) -> list[date]:
    """The first day of every month from start's to end's."""
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = month.replace(year=month.year + month.month // 12,
                              month=month.month % 12 + 1)
    return out


def monthly(cur: Any, schema: str, programme_id: str, figure: str, start: date,
            end: date) -> list[dict[str, Any]]:
    """[{"month": "2024-09", "actual": value at that month's end}], start to end."""
    cur.execute(q("SELECT part, date_trunc('month', day)::date, sum(value)"
                  " FROM (" + behind.query(figure) + ") x GROUP BY 1, 2", schema),
                {"p": programme_id})
    calendar = months(start, end)
    added: dict[str | None, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for part, month, value in cur.fetchall():
        # Before the start (or undated) counts from the first month, after the end in the last.
        month = min(max(month or calendar[0], calendar[0]), calendar[-1])
        added[part][month] += int(value)
    running: dict[str | None, int] = defaultdict(int)
    # A share is drawn over the population it is a share of, as the report counts it (the
    # programme's teachers): only who holds a category moves with time. Dating the
    # population too would show 100 % in the months before the courses enrolled anyone.
    population = sum(added["denominator"].values()) if "denominator" in added else 0
    out = []
    for month in calendar:
        for part in added:
            running[part] += added[part].get(month, 0)
        out.append({"month": month.strftime("%Y-%m"),
                    "actual": _value(figure, running, population)})
    return out


def _value(figure: str, running: dict[str | None, int], population: int) -> Any:
    entry = CATALOGUE.get(figure)
    if entry is None or entry.parts is None:
        return running[None]
    return percentage(running["numerator"], population)


def timeline(period: dict[str, date], today: date) -> tuple[date, date]:
    """From the programme's start to today, or to its end once it is over (and never before
    its start)."""
    return period["start"], max(period["start"], min(period["end"], today))
