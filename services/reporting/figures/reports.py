"""Funders' reports computed from the read model: targets against actuals, money, reach.

Every figure is a query over the facts in the read model (never over the event stores), so a
report always agrees with what the consumers applied.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg2.extensions
from psycopg2.sql import Composable

from services.reporting.figures import cabinets, development, diffusion, progress, rounding
from services.reporting.figures.catalogue import CATALOGUE, counted, percentage
from services.reporting.figures.moments import KAZAKHSTAN
from services.reporting.figures.outcomes import learning_outcomes
from services.reporting.figures.places import PLACE_FIELDS, name_district_splits, with_regions
from services.reporting.ingest.tables import SCHEMA, q

Cursor = psycopg2.extensions.cursor

def visible_programmes(cur: Cursor, funder_id: str, schema: str = SCHEMA) -> list[str]:
    """The programmes a funder has a role in or money committed to, once their launch has
    reached the read model (events may arrive in any order; a report needs the launch)."""
    cur.execute(q("SELECT programme_id FROM ("
                  "SELECT programme_id FROM {s}.funder_roles WHERE funder_id = %s UNION "
                  "SELECT programme_id FROM {s}.commitments WHERE funder_id = %s) theirs "
                  "JOIN {s}.programmes USING (programme_id) ORDER BY 1", schema),
                (funder_id, funder_id))
    return [row[0] for row in cur.fetchall()]


def _scalar(cur: Cursor, sql: Composable, **params: Any) -> Any:
    """The first column of the first row; None when there is no row."""
    cur.execute(sql, params)
    row = cur.fetchone()
    return row[0] if row else None


def _number(value: Decimal) -> str:
    """A decimal as people write it: 500, 12.5 (never 5E+2)."""
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def _share(actual: int | Decimal | None, target: Decimal | None) -> str | None:
    """How much of the target is reached, to 0.001: 1.000 only once it is reached."""
    if not target or actual is None:
        return None
    return str(rounding.share(actual, target, *rounding.RATIO))


def _progress_from_baseline(actual: int | Decimal | None, baseline: Decimal,
                            target: Decimal) -> str | None:
    """How far from the baseline towards the target: 60 -> 70 of a 75 target is 0.667
    (1.000 only once the target is reached, 0.000 only while the actual is the baseline)."""
    if actual is None or target == baseline:
        return None
    return str(rounding.share(Decimal(actual) - baseline, target - baseline,
                              *rounding.RATIO))


def actual_of(counts: dict[str, int], indicator: str) -> dict[str, Any]:
    """An indicator's actual from the counts: the count itself, or for a percentage the
    share with its numerator and denominator."""
    parts = CATALOGUE[indicator].parts
    if parts is None:
        return {"actual": counts[indicator]}
    numerator, denominator = (counts[name] for name in parts)
    return {"actual": percentage(numerator, denominator), "numerator": numerator,
            "denominator": denominator}


def indicators(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> list[dict[str, Any]]:
    cur.execute(q("SELECT indicator, baseline, target, period_end FROM {s}.targets"
                  " WHERE programme_id = %s", schema), (programme_id,))
    # A target the catalogue no longer knows (a retired indicator) is not reported.
    targets = {row[0]: row[1:] for row in cur.fetchall() if row[0] in CATALOGUE}
    counts = {name: _count(cur, name, programme_id, schema)
              for indicator in targets
              for name in CATALOGUE[indicator].parts or (indicator,)}
    out = []
    for indicator in sorted(targets):
        baseline, target, period_end = targets[indicator]
        actual = actual_of(counts, indicator)
        out.append({"indicator": indicator, "measure": CATALOGUE[indicator].measure,
                    "baseline": _number(baseline), "target": _number(target),
                    "period_end": period_end, **actual,
                    "share_reached": _share(actual["actual"], target),
                    "progress_from_baseline": _progress_from_baseline(
                        actual["actual"], baseline, target)})
    return out


def figures(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> dict[str, int]:
    """Every count the indicators are made of, targeted or not (the reconciliation
    compares these)."""
    return {i.name: _count(cur, i.name, programme_id, schema) for i in counted()}


def _count(cur: Cursor, name: str, programme_id: str, schema: str) -> int:
    return int(_scalar(cur, q(CATALOGUE[name].actual, schema), p=programme_id))


def money(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> dict[str, Any]:
    """Committed, disbursed (paid out by the funder), spent (procured cabinets + other
    expenditures), remaining and held by the implementer (disbursed - spent), per funder's
    commitment and scope, and spending by category (in total and per commitment), in
    whole tenge."""
    # The funder's names come with each line (None until FunderRegistered has arrived: the
    # events may come in any order), so that a page can name who committed the money.
    cur.execute(q(
        "SELECT c.commitment_id, c.funder_id, c.scope, c.amount_kzt,"
        " (SELECT coalesce(sum(cb.cost_kzt), 0) FROM {s}.cabinets cb"
        "   WHERE cb.commitment_id = c.commitment_id AND cb.programme_id = c.programme_id"
        "     AND coalesce(cb.allocated, true)),"
        " (SELECT coalesce(sum(x.amount_kzt), 0) FROM {s}.expenditures x"
        "   WHERE x.commitment_id = c.commitment_id AND x.programme_id = c.programme_id),"
        " (SELECT coalesce(sum(d.amount_kzt), 0) FROM {s}.disbursements d"
        "   WHERE d.commitment_id = c.commitment_id AND d.programme_id = c.programme_id),"
        " f.name_kk, f.name_ru, f.name_en"
        " FROM {s}.commitments c"
        " LEFT JOIN {s}.funders f ON f.funder_id = c.funder_id"
        " WHERE c.programme_id = %s ORDER BY c.commitment_id", schema), (programme_id,))
    lines = [{"commitment_id": cid, "funder_id": funder, "scope": scope, "committed_kzt": amount,
              "disbursed_kzt": int(disbursed),
              "procured_kzt": int(procured), "expenditure_kzt": int(spent),
              "spent_kzt": int(procured) + int(spent),
              "remaining_kzt": amount - int(procured) - int(spent),
              "funder_name_kk": kk, "funder_name_ru": ru, "funder_name_en": en}
             for cid, funder, scope, amount, procured, spent, disbursed, kk, ru, en
             in cur.fetchall()]
    for line in lines:
        line["held_by_implementer_kzt"] = line["disbursed_kzt"] - line["spent_kzt"]
        line["spent_by_category"] = {}
    by_commitment = {line["commitment_id"]: line for line in lines}
    cur.execute(q("SELECT commitment_id, category, sum(amount_kzt) FROM {s}.expenditures"
                  " WHERE programme_id = %s GROUP BY 1, 2 ORDER BY 1, 2", schema),
                (programme_id,))
    for commitment_id, category, total in cur.fetchall():
        if commitment_id in by_commitment:
            by_commitment[commitment_id]["spent_by_category"][category] = int(total)
    # In total: the lines' spending (that of the commitments the model has), by category.
    by_category: dict[str, int] = {}
    for line in lines:
        for category, total in line["spent_by_category"].items():
            by_category[category] = by_category.get(category, 0) + total
    by_category = dict(sorted(by_category.items()))
    budget = _scalar(cur, q("SELECT budget_kzt FROM {s}.programmes WHERE programme_id = %(p)s",
                            schema), p=programme_id)
    return {"budget_kzt": budget,
            "committed_kzt": sum(line["committed_kzt"] for line in lines),
            "disbursed_kzt": sum(line["disbursed_kzt"] for line in lines),
            "procured_kzt": sum(line["procured_kzt"] for line in lines),
            "expenditure_kzt": sum(line["expenditure_kzt"] for line in lines),
            "spent_kzt": sum(line["spent_kzt"] for line in lines),
            "remaining_kzt": sum(line["remaining_kzt"] for line in lines),
            "held_by_implementer_kzt": sum(line["held_by_implementer_kzt"] for line in lines),
            "spent_by_category": by_category,
            "commitments": lines}


def programme_report(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> dict[str, Any]:
    cur.execute(q("SELECT name_kk, name_ru, name_en, start_date, end_date FROM {s}.programmes"
                  " WHERE programme_id = %s", schema), (programme_id,))
    name_kk, name_ru, name_en, start, end = cur.fetchone()
    period = {"start": start, "end": end}
    since, until = progress.timeline(period, datetime.now(KAZAKHSTAN).date())
    lines = indicators(cur, programme_id, schema)
    for line in lines:
        line["progress"] = progress.monthly(cur, schema, programme_id, line["indicator"],
                                            since, until)
    return {"programme_id": programme_id, "name_kk": name_kk, "name_ru": name_ru,
            "name_en": name_en, "period": period, "indicators": lines,
            "money": money(cur, programme_id, schema),
            "learning_outcomes": name_district_splits(
                cur, schema, learning_outcomes(cur, programme_id, schema)),
            "diffusion": diffusion.practices(cur, programme_id, schema),
            "cabinets": cabinets.section(cur, programme_id, schema),
            "development": development.section(cur, programme_id, schema)}


# What reached each organisation, each table read once for the programme and joined by
# organisation: a count per organisation as a subquery re-read the scores for every school,
# 33 s at 35,000 teachers and 210,000 scores, and it grows with schools times facts.
ORGANISATIONS = """
WITH trained AS (
  SELECT school_id, count(DISTINCT participant_id) AS n FROM {s}.enrolments
   WHERE programme_id = %(p)s AND status = 'completed' GROUP BY school_id),
equipped AS (
  SELECT organisation_id, count(*) AS n, count(*) FILTER (WHERE commissioned) AS working
    FROM {s}.cabinets WHERE programme_id = %(p)s AND coalesce(allocated, true)
   GROUP BY organisation_id),
assessed AS (
  SELECT sc.school_id, count(DISTINCT sc.pupil_ref) AS n FROM {s}.scores sc
    JOIN {s}.rounds r ON r.round_id = sc.round_id
   WHERE r.programme_id = %(p)s GROUP BY sc.school_id)
SELECT pa.organisation_id, o.name_ru, pa.kind, pa.district_code, o.small_class,
       coalesce(o.pupils, 0), coalesce(t.n, 0), coalesce(c.n, 0), coalesce(c.working, 0),
       coalesce(a.n, 0), pl.name_kk, pl.name_ru, pl.name_en, pl.place_code IS NOT NULL
  FROM {s}.participants pa LEFT JOIN {s}.organisations o USING (organisation_id)
  LEFT JOIN trained t ON t.school_id = pa.organisation_id
  LEFT JOIN equipped c ON c.organisation_id = pa.organisation_id
  LEFT JOIN assessed a ON a.school_id = pa.organisation_id
  LEFT JOIN {s}.places pl ON pl.place_code = pa.district_code
 WHERE pa.programme_id = %(p)s ORDER BY pa.district_code, pa.organisation_id
"""
DRILL_FIELDS = ["pupils", "participants_trained", "cabinets", "cabinets_commissioned",
                "pupils_assessed"]


def organisations(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> list[dict[str, Any]]:
    """One line per organisation of the programme: what reached it, and its district's and
    region's names in each language (None, and `name_known` / `region_name_known` false,
    where the classifier has none: places.in_language shows the code then)."""
    cur.execute(q(ORGANISATIONS, schema), {"p": programme_id})
    width = len(DRILL_FIELDS)
    lines = [{"organisation_id": oid, "name_ru": name, "kind": kind, "district_code": district,
              **_district_names(rest[width:]), "small_class": small,
              **dict(zip(DRILL_FIELDS, rest[:width], strict=True))}
             for oid, name, kind, district, small, *rest in cur.fetchall()]
    return with_regions(cur, schema, lines)


def _district_names(row: Any) -> dict[str, Any]:
    name_kk, name_ru, name_en, known = row
    return {"district_name_kk": name_kk, "district_name_ru": name_ru,
            "district_name_en": name_en, "name_known": bool(known)}


def districts(cur: Cursor, programme_id: str, schema: str = SCHEMA) -> list[dict[str, Any]]:
    """The organisation lines summed per district."""
    out: dict[str, dict[str, Any]] = {}
    for line in organisations(cur, programme_id, schema):
        district = out.setdefault(line["district_code"], {
            "district_code": line["district_code"],
            **{name: line[name] for name in PLACE_FIELDS},
            "organisations": 0,
            **dict.fromkeys(DRILL_FIELDS, 0)})
        district["organisations"] += 1
        for name in DRILL_FIELDS:
            district[name] += line[name]
    return list(out.values())
