"""Learning outcomes for each baseline/endline pair of a programme's assessment rounds.

Per grade and subject, for all schools, small-class schools, other schools and each
district: pupils, mean and share at or above the proficiency threshold in each round; and
on the pupils matched across the two rounds (same pupil reference and subject), the raw gain
and Cohen's d with the average of the two rounds' variances (d_av = gain / sqrt((sd_b² +
sd_e²) / 2)), the usual choice when the same pupils are measured twice.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from services.reporting.ingest.tables import SCHEMA

SPLITS = """GROUPING SETS ((pair, grade, subject), (pair, grade, subject, small_class),
                          (pair, grade, subject, district_code))"""

# A school's size class in a round's school year: that year's profile; failing it the
# nearest earlier one, then the nearest later one. Never simply the newest: next year's
# contingent must not move this year's pupils between the splits.
CLASS_IN_YEAR = """LEFT JOIN LATERAL (
      SELECT y.small_class FROM {s}.profiles y WHERE y.organisation_id = {school}
       ORDER BY y.school_year <= {year} DESC,
                CASE WHEN y.school_year <= {year} THEN y.school_year END DESC,
                y.school_year LIMIT 1) y ON true"""

ROUND_STATS = """
WITH pairs AS (
  SELECT round_id AS pair, baseline_round_id AS baseline, round_id AS endline
    FROM {s}.rounds WHERE programme_id = %(p)s AND phase = 'endline'),
scored AS (
  SELECT p.pair, CASE WHEN sc.round_id = p.baseline THEN 'baseline' ELSE 'endline' END AS phase,
         sc.grade, sc.subject, sc.score, coalesce(y.small_class, false) AS small_class,
         o.district_code,
         (r.subjects -> sc.subject ->> 'threshold')::int AS threshold
    FROM pairs p JOIN {s}.scores sc ON sc.round_id IN (p.baseline, p.endline)
    JOIN {s}.rounds r ON r.round_id = sc.round_id
    LEFT JOIN {s}.organisations o ON o.organisation_id = sc.school_id
    """ + CLASS_IN_YEAR.format(s="{s}", school="sc.school_id", year="r.school_year") + """)
SELECT pair, phase, grade, subject, small_class, district_code,
       GROUPING(small_class) = 0 AS by_class, GROUPING(district_code) = 0 AS by_district,
       count(*), avg(score), avg((score >= threshold)::int)
  FROM scored GROUP BY phase, GROUPING SETS ((pair, grade, subject),
       (pair, grade, subject, small_class), (pair, grade, subject, district_code))
"""

MATCHED = """
WITH pairs AS (
  SELECT round_id AS pair, baseline_round_id AS baseline, round_id AS endline
    FROM {s}.rounds WHERE programme_id = %(p)s AND phase = 'endline'),
matched AS (
  SELECT p.pair, b.grade, b.subject, b.score AS before, e.score AS after,
         coalesce(y.small_class, false) AS small_class, o.district_code
    FROM pairs p
    JOIN {s}.rounds rb ON rb.round_id = p.baseline
    JOIN {s}.scores b ON b.round_id = p.baseline
    JOIN {s}.scores e ON e.round_id = p.endline AND e.pupil_ref = b.pupil_ref
                      AND e.subject = b.subject
    LEFT JOIN {s}.organisations o ON o.organisation_id = b.school_id
    """ + CLASS_IN_YEAR.format(s="{s}", school="b.school_id", year="rb.school_year") + """)
SELECT pair, grade, subject, small_class, district_code,
       GROUPING(small_class) = 0 AS by_class, GROUPING(district_code) = 0 AS by_district,
       count(*), avg(after - before), var_samp(before), var_samp(after)
  FROM matched GROUP BY """ + SPLITS


def _split(small_class: bool | None, district: str | None, by_class: bool,
           by_district: bool) -> str:
    if by_class:
        return "small_class" if small_class else "other"
    if by_district:
        return f"district:{district}"
    return "all"


def _dec(value: Any, places: str = "0.001") -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal(places), ROUND_HALF_EVEN))


def learning_outcomes(cur: Any, programme_id: str, schema: str = SCHEMA) -> list[dict[str, Any]]:
    cur.execute(f"SELECT round_id, baseline_round_id FROM {schema}.rounds"
                " WHERE programme_id = %s AND phase = 'endline'", (programme_id,))
    baseline_of = dict(cur.fetchall())
    cells: dict[tuple[str, int, str, str], dict[str, Any]] = {}

    def cell(pair: str, grade: int, subject: str, split: str) -> dict[str, Any]:
        return cells.setdefault((pair, grade, subject, split), {
            "baseline_round_id": baseline_of[pair], "endline_round_id": pair,
            "grade": grade, "subject": subject, "split": split})

    cur.execute(ROUND_STATS.format(s=schema), {"p": programme_id})
    for pair, phase, grade, subject, small, district, by_class, by_district, n, mean, share \
            in cur.fetchall():
        cell(pair, grade, subject, _split(small, district, by_class, by_district))[phase] = {
            "pupils": n, "mean": _dec(mean), "share_at_or_above_threshold": _dec(share)}
    cur.execute(MATCHED.format(s=schema), {"p": programme_id})
    for pair, grade, subject, small, district, by_class, by_district, n, gain, var_b, var_e \
            in cur.fetchall():
        target = cell(pair, grade, subject, _split(small, district, by_class, by_district))
        pooled = ((Decimal(var_b) + Decimal(var_e)) / 2).sqrt() if var_b is not None else None
        target.update({"matched_pupils": n, "gain": _dec(gain),
                       "effect_size_d": _dec(Decimal(gain) / pooled) if pooled else None})
    return [cells[key] for key in sorted(cells, key=lambda k: (k[0], k[1], k[2],
                                                                 k[3] != "all", k[3]))]
