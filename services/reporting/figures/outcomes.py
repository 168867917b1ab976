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

The splits are made of whole schools, so every figure of a split follows from sums over
its schools, and so do the cluster-robust variances (outcome_cells.py): for the live model
from the sums kept per school, grade and subject (ingest/kept.py), a bounded number of rows
whatever the number of scores; for a past moment from the scores as they stood then.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from services.reporting.figures import intervals, outcome_cells
from services.reporting.ingest.tables import SCHEMA, q


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


def clustered_mean(schools: int, pupils: int, total: int, squares: int, weighted: int,
                   weights: int) -> intervals.Estimate:
    """intervals.clustered_mean from its schools' sums (outcome_cells.py): G, N, S = Σ S_g,
    Σ S_g², Σ n_g S_g, Σ n_g². The spread Σ (S_g - n_g m)² is taken exactly (integers),
    then rounded once."""
    mean = total / pupils
    if schools < 2:
        return intervals.Estimate(mean, None, 0)
    spread = float(Fraction(squares * pupils * pupils - 2 * total * weighted * pupils
                            + total * total * weights, pupils * pupils))
    return intervals.Estimate(mean, math.sqrt(schools / (schools - 1) * spread) / pupils,
                              schools - 1)


def round_figures(sums: list[int]) -> dict[str, Any]:
    """One round's figures from its schools' sums: G, N, S, Σ S_g², Σ n_g S_g, Σ n_g²,
    pupils at or above the threshold."""
    schools, pupils, total, *_, above = sums
    return {"pupils": pupils, "schools": schools,
            "mean": _dec(Decimal(total) / pupils),
            "mean_ci": _ci(clustered_mean(*sums[:6]).interval()),
            "share_at_or_above_threshold": _dec(Decimal(above) / pupils)}


def matched_figures(sums: list[int]) -> tuple[dict[str, Any], intervals.Estimate]:
    """Gain and d_av, with intervals, from the matched pupils' sums: the gains' G, N, S,
    Σ S_g², Σ n_g S_g, Σ n_g², then Σb, Σb², Σe, Σe²."""
    schools, n, gains, *_ = sums
    base, base_squares, end, end_squares = sums[6:]
    gain = Decimal(gains) / n
    estimate = clustered_mean(*sums[:6])
    var_b, var_e = _variance(base, base_squares, n), _variance(end, end_squares, n)
    pooled = ((var_b + var_e) / 2).sqrt() if var_b is not None and var_e is not None else None
    d = gain / pooled if pooled else None
    d_ci = None
    if d is not None and pooled is not None:
        se = intervals.effect_size_se(estimate.se, float(d), float(pooled), n)
        d_ci = _ci(intervals.Estimate(float(d), se, estimate.df).interval())
    return ({"matched_pupils": n, "matched_schools": schools, "gain": _dec(gain),
             "gain_ci": _ci(estimate.interval()), "effect_size_d": _dec(d),
             "effect_size_d_ci": d_ci}, estimate)


def difference_in_differences(programme: intervals.Estimate,
                              comparison: intervals.Estimate) -> dict[str, Any]:
    did = intervals.difference(programme, comparison)
    return {"difference_in_differences": _dec(did.value),
            "difference_in_differences_ci": _ci(did.interval())}


def learning_outcomes(cur: Any, programme_id: str, schema: str = SCHEMA,
                      kept: bool | None = None) -> list[dict[str, Any]]:
    """From the kept sums (`kept`), or from the scores themselves: by default the kept sums
    for a live schema, the scores for a past moment's views (they have no kept sums)."""
    cur.execute(q("SELECT round_id, baseline_round_id FROM {s}.rounds"
                  " WHERE programme_id = %s AND phase = 'endline'", schema), (programme_id,))
    baseline_of = dict(cur.fetchall())
    past = schema.endswith("_past")  # tables.past_schema: views over the facts
    rounds, matched = outcome_cells.sums(cur, programme_id, schema,
                                         kept=not past if kept is None else kept)
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


def assemble(baseline_of: dict[str, str], rounds: outcome_cells.Sums,
             matched: outcome_cells.Sums) -> list[dict[str, Any]]:
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}

    def cell(pair: str, grade: int, subject: str, split: str) -> dict[str, Any]:
        return cells.setdefault((pair, grade, subject, split), {
            "baseline_round_id": baseline_of[pair], "endline_round_id": pair,
            "grade": grade, "subject": subject, "split": split})

    for (pair, grade, subject, split, phase), sums in rounds.items():
        cell(pair, grade, subject, split)[phase] = round_figures(sums)
    gains: dict[tuple[Any, ...], intervals.Estimate] = {}
    for key, sums in matched.items():
        figures, gains[key] = matched_figures(sums)
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
