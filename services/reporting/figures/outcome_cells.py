"""The sums the learning outcomes are made of (outcomes.py), per group of schools alike.

Every figure of a split (all, small-class or other, a district, a model, the comparison)
follows from sums over its schools: pupils N, schools G, the scores' sum S, and for the
cluster-robust variance Σ S_g², Σ n_g S_g and Σ n_g² over its schools g (with the mean
m = S / N, Σ (S_g - n_g m)² = Σ S_g² - 2 m Σ n_g S_g + m² Σ n_g²). These all add up, so the
SQL sums them per group of schools that fall in the same splits, a few rows per grade and
subject, and the splits add the groups up.

The per-school rows come from the sums kept per school, grade and subject
(`score_cells`, `matched_scores`, ingest/kept.py) for the live model. A past moment's views
(`<schema>_past`, ingest/past.py) have no kept sums, which hold the live model only: there
the same rows are summed from the scores themselves, as before.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from services.reporting.ingest.tables import q

# A school's size class in a round's school year: that year's profile; failing it the
# nearest earlier one, then the nearest later one. Never simply the newest: next year's
# contingent must not move this year's pupils between the splits.
CLASS_IN_YEAR = """LEFT JOIN LATERAL (
      SELECT y.small_class FROM {s}.profiles y WHERE y.organisation_id = {school}
       ORDER BY y.school_year <= {year} DESC,
                CASE WHEN y.school_year <= {year} THEN y.school_year END DESC,
                y.school_year LIMIT 1) y ON true"""

PAIRS = """WITH pairs AS (
  SELECT round_id AS pair, baseline_round_id AS baseline, round_id AS endline
    FROM {s}.rounds WHERE programme_id = %(p)s AND phase = 'endline')"""

# What a school is in a round: its size class that year, district, the programme's model
# for it, and whether the round assesses it as a comparison school.
SCHOOL = """LEFT JOIN {s}.organisations o ON o.organisation_id = {school}
    LEFT JOIN {s}.participants pa ON pa.programme_id = %(p)s AND pa.organisation_id = {school}
    LEFT JOIN {s}.comparison_schools cs ON cs.round_id = {round} AND cs.school_id = {school}
    """ + CLASS_IN_YEAR
GROUPING = "coalesce(y.small_class, false), o.district_code, pa.model, cs.school_id IS NOT NULL"

# Per school of a round of a pair: its grouping, pupils, sum of scores, pupils at or above.
ROUND_SCHOOLS = PAIRS + """
SELECT p.pair, CASE WHEN sc.round_id = p.baseline THEN 'baseline' ELSE 'endline' END,
       sc.grade, sc.subject, sc.school_id, """ + GROUPING + """,
       count(*), sum(sc.score),
       sum((sc.score >= (r.subjects -> sc.subject ->> 'threshold')::int)::int)
  FROM pairs p JOIN {s}.scores sc ON sc.round_id IN (p.baseline, p.endline)
  JOIN {s}.rounds r ON r.round_id = sc.round_id
  """ + SCHOOL.format(s="{s}", school="sc.school_id", round="sc.round_id",
                      year="r.school_year") + """
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"""

# A matched pupil belongs where the baseline found them: its school and its grouping. Per
# school: pupils, sum of gains, sum and sum of squares of baseline, then endline scores.
MATCHED_SCHOOLS = PAIRS + """
SELECT p.pair, b.grade, b.subject, b.school_id, """ + GROUPING + """,
       count(*), sum(e.score - b.score), sum(b.score), sum(b.score * b.score),
       sum(e.score), sum(e.score * e.score)
  FROM pairs p
  JOIN {s}.rounds rb ON rb.round_id = p.baseline
  JOIN {s}.scores b ON b.round_id = p.baseline
  JOIN {s}.scores e ON e.round_id = p.endline AND e.pupil_ref = b.pupil_ref
                    AND e.subject = b.subject
  """ + SCHOOL.format(s="{s}", school="b.school_id", round="b.round_id",
                      year="rb.school_year") + """
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"""

# The same rows from the kept sums: a school's grouping found once per round, not per row.
GROUPED_ONCE = """, grouped AS MATERIALIZED (
  SELECT k.round_id, k.school_id, coalesce(y.small_class, false) AS small,
         o.district_code AS district, pa.model, cs.school_id IS NOT NULL AS comparison
    FROM (SELECT DISTINCT round_id, school_id FROM kept) k
    JOIN {s}.rounds r ON r.round_id = k.round_id
    """ + SCHOOL.format(s="{s}", school="k.school_id", round="k.round_id",
                        year="r.school_year") + ")"
KEPT_ROUND_SCHOOLS = PAIRS + """, kept AS (
  SELECT p.pair, CASE WHEN c.round_id = p.baseline THEN 'baseline' ELSE 'endline' END AS phase,
         c.round_id, c.school_id, c.grade, c.subject, c.pupils, c.total, c.above
    FROM pairs p JOIN {s}.score_cells c ON c.round_id IN (p.baseline, p.endline)
                                       AND c.pupils > 0)""" + GROUPED_ONCE + """
SELECT k.pair, k.phase, k.grade, k.subject, k.school_id, g.small, g.district, g.model,
       g.comparison, k.pupils, k.total, k.above
  FROM kept k JOIN grouped g ON g.round_id = k.round_id AND g.school_id = k.school_id"""
KEPT_MATCHED_SCHOOLS = PAIRS + """, kept AS (
  SELECT p.pair, p.baseline AS round_id, m.school_id, m.grade, m.subject, m.pupils,
         m.endline - m.baseline AS gain, m.baseline, m.baseline_squares, m.endline,
         m.endline_squares
    FROM pairs p JOIN {s}.rounds rb ON rb.round_id = p.baseline
    JOIN {s}.matched_scores m ON m.endline_round_id = p.endline AND m.pupils > 0)"""\
    + GROUPED_ONCE + """
SELECT k.pair, k.grade, k.subject, k.school_id, g.small, g.district, g.model, g.comparison,
       k.pupils, k.gain, k.baseline, k.baseline_squares, k.endline, k.endline_squares
  FROM kept k JOIN grouped g ON g.round_id = k.round_id AND g.school_id = k.school_id"""

# Per group of schools alike: G, N, S, Σ S_g², Σ n_g S_g, Σ n_g² and then what else adds up.
CLUSTERED = "count(*), sum(n), sum(s), sum(s * s), sum(n * s), sum(n * n)"
ROUND_SUMS = ("SELECT pair, phase, grade, subject, small, district, model, comparison, "
              + CLUSTERED + ", sum(a) FROM ({inner}) AS per_school (pair, phase, grade,"
              " subject, school, small, district, model, comparison, n, s, a)"
              " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8")
MATCHED_SUMS = ("SELECT pair, grade, subject, small, district, model, comparison, "
                + CLUSTERED + ", sum(b), sum(bb), sum(e), sum(ee) FROM ({inner}) AS"
                " per_school (pair, grade, subject, school, small, district, model,"
                " comparison, n, s, b, bb, e, ee) GROUP BY 1, 2, 3, 4, 5, 6, 7")

Sums = dict[tuple[Any, ...], list[int]]


def splits_of(small_class: bool, district: str | None, model: str | None,
              comparison: bool) -> list[str]:
    """The splits a school's pupils count in."""
    if comparison:
        return ["comparison"]
    out = ["all", "small_class" if small_class else "other", f"district:{district}"]
    return out + ([f"model:{model}"] if model else [])


def sums(cur: Any, programme_id: str, schema: str, kept: bool) -> tuple[Sums, Sums]:
    """(per (pair, grade, subject, split, phase): G, N, S, Σ S_g², Σ n_g S_g, Σ n_g²,
    pupils at or above; per (pair, grade, subject, split) of the matched pupils: the same
    six of the gains, then Σb, Σb², Σe, Σe²), from the kept sums or from the scores."""
    rounds: Sums = defaultdict(lambda: [0] * 7)
    inner = KEPT_ROUND_SCHOOLS if kept else ROUND_SCHOOLS
    cur.execute(q(ROUND_SUMS.replace("{inner}", inner), schema), {"p": programme_id})
    for pair, phase, grade, subject, small, district, model, comparison, *values \
            in cur.fetchall():
        for split in splits_of(small, district, model, comparison):
            _add(rounds[(pair, grade, subject, split, phase)], values)
    matched: Sums = defaultdict(lambda: [0] * 10)
    inner = KEPT_MATCHED_SCHOOLS if kept else MATCHED_SCHOOLS
    cur.execute(q(MATCHED_SUMS.replace("{inner}", inner), schema), {"p": programme_id})
    for pair, grade, subject, small, district, model, comparison, *values in cur.fetchall():
        for split in splits_of(small, district, model, comparison):
            _add(matched[(pair, grade, subject, split)], values)
    return rounds, matched


def _add(into: list[int], values: list[Any]) -> None:
    for i, value in enumerate(values):
        into[i] += int(value)
