"""Learning outcomes for each baseline/endline pair of a programme's assessment rounds.

Per grade and subject, for the programme's schools (all; small-class and other; each
district; each development model) and for the round's comparison schools: pupils, schools,
mean (with its 95 % interval) and share at or above the proficiency threshold in each
round; and on the pupils matched across the two rounds (same pupil reference and subject),
the raw gain and Cohen's d with the average of the two rounds' variances (d_av = gain /
sqrt((sd_b² + sd_e²) / 2)), each with its interval. Against the comparison group, the
difference in differences of the matched gains (programme minus comparison), for all
schools and per model. Intervals are cluster-robust with schools as clusters
(intervals.py, docs/statistics.md).

The SQL sums per school; the splits are made of whole schools, so every figure of a split
follows from its schools' sums, and so do the cluster-robust variances.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from services.reporting.figures import intervals
from services.reporting.ingest.tables import SCHEMA, q

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

ROUND_STATS = PAIRS + """
SELECT p.pair, CASE WHEN sc.round_id = p.baseline THEN 'baseline' ELSE 'endline' END,
       sc.grade, sc.subject, sc.school_id, coalesce(y.small_class, false), o.district_code,
       pa.model, cs.school_id IS NOT NULL,
       count(*), sum(sc.score),
       sum((sc.score >= (r.subjects -> sc.subject ->> 'threshold')::int)::int)
  FROM pairs p JOIN {s}.scores sc ON sc.round_id IN (p.baseline, p.endline)
  JOIN {s}.rounds r ON r.round_id = sc.round_id
  """ + SCHOOL.format(s="{s}", school="sc.school_id", round="sc.round_id",
                      year="r.school_year") + """
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"""

# A matched pupil belongs where the baseline found them: its school and its grouping.
MATCHED = PAIRS + """
SELECT p.pair, b.grade, b.subject, b.school_id, coalesce(y.small_class, false),
       o.district_code, pa.model, cs.school_id IS NOT NULL,
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


def splits_of(small_class: bool, district: str | None, model: str | None,
              comparison: bool) -> list[str]:
    """The splits a school's pupils count in."""
    if comparison:
        return ["comparison"]
    out = ["all", "small_class" if small_class else "other", f"district:{district}"]
    return out + ([f"model:{model}"] if model else [])


def _dec(value: Any, places: str = "0.001") -> str | None:
    if value is None:
        return None
    shown = Decimal(value).quantize(Decimal(places), ROUND_HALF_EVEN)
    return str(shown.copy_abs() if shown.is_zero() else shown)  # never "-0.000"


def _ci(bounds: tuple[float, float] | None) -> list[str | None] | None:
    return None if bounds is None else [_dec(bounds[0]), _dec(bounds[1])]


def _variance(total: int, squares: int, n: int) -> Decimal | None:
    if n < 2:
        return None
    return (Decimal(squares) - Decimal(total) ** 2 / n) / (n - 1)


def round_figures(schools: list[tuple[int, int, int]]) -> dict[str, Any]:
    """One round's figures from its schools' (pupils, sum of scores, pupils at or above)."""
    pupils = sum(n for n, _, _ in schools)
    mean = intervals.clustered_mean([(n, float(total)) for n, total, _ in schools])
    return {"pupils": pupils, "schools": len(schools),
            "mean": _dec(Decimal(sum(t for _, t, _ in schools)) / pupils),
            "mean_ci": _ci(mean.interval()),
            "share_at_or_above_threshold": _dec(Decimal(sum(a for _, _, a in schools))
                                                / pupils)}


def matched_figures(schools: list[tuple[int, ...]]) -> tuple[dict[str, Any],
                                                            intervals.Estimate]:
    """Gain and d_av, with intervals, from schools' (pupils, sum of gains, sum and sum of
    squares of baseline scores, the same of endline scores)."""
    n = sum(row[0] for row in schools)
    sums = [sum(row[i] for row in schools) for i in range(1, 6)]
    gain = Decimal(sums[0]) / n
    estimate = intervals.clustered_mean([(row[0], float(row[1])) for row in schools])
    var_b, var_e = _variance(sums[1], sums[2], n), _variance(sums[3], sums[4], n)
    pooled = ((var_b + var_e) / 2).sqrt() if var_b is not None and var_e is not None else None
    d = gain / pooled if pooled else None
    d_ci = None
    if d is not None and pooled is not None:
        se = intervals.effect_size_se(estimate.se, float(d), float(pooled), n)
        d_ci = _ci(intervals.Estimate(float(d), se, estimate.df).interval())
    return ({"matched_pupils": n, "matched_schools": len(schools), "gain": _dec(gain),
             "gain_ci": _ci(estimate.interval()), "effect_size_d": _dec(d),
             "effect_size_d_ci": d_ci}, estimate)


def difference_in_differences(programme: intervals.Estimate,
                              comparison: intervals.Estimate) -> dict[str, Any]:
    did = intervals.difference(programme, comparison)
    return {"difference_in_differences": _dec(did.value),
            "difference_in_differences_ci": _ci(did.interval())}


def learning_outcomes(cur: Any, programme_id: str, schema: str = SCHEMA) -> list[dict[str, Any]]:
    cur.execute(q("SELECT round_id, baseline_round_id FROM {s}.rounds"
                  " WHERE programme_id = %s AND phase = 'endline'", schema), (programme_id,))
    baseline_of = dict(cur.fetchall())
    rounds: dict[tuple[Any, ...], list[tuple[int, int, int]]] = defaultdict(list)
    cur.execute(q(ROUND_STATS, schema), {"p": programme_id})
    for pair, phase, grade, subject, _, small, district, model, comparison, n, total, \
            above in cur.fetchall():
        for split in splits_of(small, district, model, comparison):
            rounds[(pair, grade, subject, split, phase)].append((n, int(total), int(above)))
    matched: dict[tuple[Any, ...], list[tuple[int, ...]]] = defaultdict(list)
    cur.execute(q(MATCHED, schema), {"p": programme_id})
    for pair, grade, subject, _, small, district, model, comparison, *sums in cur.fetchall():
        for split in splits_of(small, district, model, comparison):
            matched[(pair, grade, subject, split)].append(tuple(int(v) for v in sums))
    return with_scales(cur, programme_id, schema, assemble(baseline_of, rounds, matched))


def with_scales(cur: Any, programme_id: str, schema: str,
                cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each cell with its subject's maximum score and proficiency threshold, as the endline
    round defined them (else the baseline round), when a round defines them."""
    cur.execute(q("SELECT round_id, subjects FROM {s}.rounds WHERE programme_id = %s",
                  schema), (programme_id,))
    subjects = {round_id: defined or {} for round_id, defined in cur.fetchall()}
    for cell in cells:
        scale = (subjects.get(cell["endline_round_id"], {}).get(cell["subject"])
                 or subjects.get(cell["baseline_round_id"], {}).get(cell["subject"]) or {})
        for name in ("max_score", "threshold"):
            if scale.get(name) is not None:
                cell[name] = int(scale[name])
    return cells


def assemble(baseline_of: dict[str, str],
             rounds: dict[tuple[Any, ...], list[tuple[int, int, int]]],
             matched: dict[tuple[Any, ...], list[tuple[int, ...]]]) -> list[dict[str, Any]]:
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}

    def cell(pair: str, grade: int, subject: str, split: str) -> dict[str, Any]:
        return cells.setdefault((pair, grade, subject, split), {
            "baseline_round_id": baseline_of[pair], "endline_round_id": pair,
            "grade": grade, "subject": subject, "split": split})

    for (pair, grade, subject, split, phase), schools in rounds.items():
        cell(pair, grade, subject, split)[phase] = round_figures(schools)
    gains: dict[tuple[Any, ...], intervals.Estimate] = {}
    for key, schools in matched.items():
        figures, gains[key] = matched_figures(schools)
        cell(*key).update(figures)
    for (pair, grade, subject, split), estimate in gains.items():
        comparison = gains.get((pair, grade, subject, "comparison"))
        if comparison is not None and (split == "all" or split.startswith("model:")):
            cells[(pair, grade, subject, split)].update(
                difference_in_differences(estimate, comparison))
    return [cells[key] for key in sorted(cells, key=_order)]


def _order(key: tuple[Any, ...]) -> tuple[Any, ...]:
    pair, grade, subject, split = key
    return pair, grade, subject, split != "all", split == "comparison", split
