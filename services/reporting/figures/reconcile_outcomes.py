"""Learning outcomes recomputed from the logs in plain Python, for reconciliation: the same
cells as `outcomes.learning_outcomes` (per endline and its baseline, grade, subject and
split: pupils, schools, mean and its interval, share at or above the threshold; matched
pupils and schools, gain and d_av with their intervals; the difference in differences
against the comparison schools), by a fold that shares none of its SQL and computes the
cluster-robust variances from the pupils' own residuals rather than from school sums.
Decimals are compared to the report's own precision."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.reporting.figures.intervals import t_critical
from shared.contracts.envelope import Envelope

Cell = tuple[str, int, str, str]  # endline round, grade, subject, split
PRECISION = Decimal("0.001")      # outcomes.py quantizes to three places


@dataclass
class ScoreFold:
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (round, school, grade, pupil, subject) -> score, corrections applied in log order
    scores: dict[tuple[str, str, int, str, str], int] = field(default_factory=dict)
    profiles: dict[str, dict[str, bool]] = field(default_factory=dict)  # org -> year -> small
    districts: dict[str, str] = field(default_factory=dict)
    models: dict[tuple[str, str], str] = field(default_factory=dict)  # programme, school

    def apply(self, e: Envelope) -> None:
        d = e.data
        if e.type == "AssessmentRoundOpened":
            self.rounds[d["round_id"]] = d
        elif e.type == "OrganisationJoinedProgramme":
            self.models[(d["programme_id"], d["organisation_id"])] = d["model"]
        elif e.type == "ScoresRecorded":
            for s in d["scores"]:
                self.scores[(d["round_id"], d["school_id"], d["grade"], s["pupil_ref"],
                             s["subject"])] = s["score"]
        elif e.type == "ScoreCorrected":
            self.scores[(d["round_id"], d["school_id"], d["grade"], d["pupil_ref"],
                         d["subject"])] = d["score"]
        else:  # an organisation's registration or profile
            self.profiles.setdefault(d["organisation_id"], {})[d["school_year"]] = \
                d["small_class"]
            self.districts[d["organisation_id"]] = d["district_code"]

    def small_class(self, school: str, year: str) -> bool | None:
        """That year's profile, else the nearest earlier year's, else the nearest later."""
        years = self.profiles.get(school, {})
        earlier = [y for y in years if y <= year]
        chosen = max(earlier) if earlier else min(years, default=None)
        return None if chosen is None else years[chosen]

    def _splits(self, school: str, info: dict[str, Any]) -> list[str]:
        if school in info.get("comparison_school_ids", []):
            return ["comparison"]
        model = self.models.get((info["programme_id"], school))
        return ["all", "small_class" if self.small_class(school, info["school_year"])
                else "other", f"district:{self.districts.get(school)}",
                *([f"model:{model}"] if model else [])]

    def cells(self, programme_id: str) -> dict[Cell, dict[str, Any]]:
        out: dict[Cell, dict[str, Any]] = {}
        for endline in (r for r in self.rounds.values() if r["programme_id"] == programme_id
                        and r["phase"] == "endline"):
            baseline = self.rounds.get(endline["baseline_round_id"])
            for phase, info in (("baseline", baseline), ("endline", endline)):
                if info is not None:
                    self._round_stats(out, endline, phase, info)
            if baseline is not None:
                self._matched(out, endline, baseline)
        return out

    def _round_stats(self, out: dict[Cell, dict[str, Any]], endline: dict[str, Any],
                     phase: str, info: dict[str, Any]) -> None:
        groups: dict[Cell, list[tuple[str, int, int]]] = defaultdict(list)
        for (r, school, grade, _, subject), score in self.scores.items():
            if r != info["round_id"]:
                continue
            threshold = info["subjects"][subject]["threshold"]
            for split in self._splits(school, info):
                groups[(endline["round_id"], grade, subject, split)].append(
                    (school, score, int(score >= threshold)))
        for key, rows in groups.items():
            mean, se, df = _clustered([(school, s) for school, s, _ in rows])
            out.setdefault(key, {})[phase] = {
                "pupils": len(rows), "schools": df + 1,
                "mean": statistics.mean(Decimal(s) for _, s, _ in rows),
                "mean_ci": _interval(mean, se, df),
                "share_at_or_above_threshold": statistics.mean(Decimal(a) for *_, a in rows)}

    def _matched(self, out: dict[Cell, dict[str, Any]], endline: dict[str, Any],
                 baseline: dict[str, Any]) -> None:
        after: dict[tuple[str, str], list[int]] = defaultdict(list)
        for (r, _, _, pupil, subject), score in self.scores.items():
            if r == endline["round_id"]:
                after[(pupil, subject)].append(score)
        pairs: dict[Cell, list[tuple[str, int, int]]] = defaultdict(list)
        for (r, school, grade, pupil, subject), before in self.scores.items():
            if r != baseline["round_id"]:
                continue
            for later in after.get((pupil, subject), []):
                for split in self._splits(school, baseline):
                    pairs[(endline["round_id"], grade, subject, split)].append(
                        (school, before, later))
        gains: dict[Cell, tuple[float, float | None, int]] = {}
        for key, rows in pairs.items():
            cell = out.setdefault(key, {})
            gain = statistics.mean(Decimal(a - b) for _, b, a in rows)
            gains[key] = mean, se, df = _clustered([(school, a - b) for school, b, a in rows])
            cell.update({"matched_pupils": len(rows), "matched_schools": df + 1, "gain": gain,
                         "gain_ci": _interval(mean, se, df), "effect_size_d": None,
                         "effect_size_d_ci": None})
            if len(rows) > 1:
                pooled = ((statistics.variance([Decimal(b) for _, b, _ in rows])
                           + statistics.variance([Decimal(a) for *_, a in rows])) / 2).sqrt()
                if pooled:
                    d = gain / pooled
                    cell["effect_size_d"] = d
                    if se is not None:  # delta method, see docs/statistics.md
                        d_se = math.sqrt(se ** 2 / float(pooled) ** 2
                                         + float(d) ** 2 / (2 * (len(rows) - 1)))
                        cell["effect_size_d_ci"] = _interval(float(d), d_se, df)
        _differences(out, gains)


def _differences(out: dict[Cell, dict[str, Any]],
                 gains: dict[Cell, tuple[float, float | None, int]]) -> None:
    """Programme minus comparison gain, for all schools and per model."""
    for (pair, grade, subject, split), (mean, se, df) in gains.items():
        other = gains.get((pair, grade, subject, "comparison"))
        if other is None or not (split == "all" or split.startswith("model:")):
            continue
        both = None if se is None or other[1] is None else math.hypot(se, other[1])
        out[(pair, grade, subject, split)].update({
            "difference_in_differences": Decimal(repr(mean - other[0])),
            "difference_in_differences_ci": _interval(mean - other[0], both,
                                                      min(df, other[2]))})


def _clustered(rows: list[tuple[str, int]]) -> tuple[float, float | None, int]:
    """Mean, cluster-robust (CR1) standard error and G - 1, from (school, value) rows: the
    residuals summed within each school, squared, summed over schools."""
    mean = sum(v for _, v in rows) / len(rows)
    within: dict[str, float] = defaultdict(float)
    for school, value in rows:
        within[school] += value - mean
    schools = len(within)
    if schools < 2:
        return mean, None, 0
    variance = schools / (schools - 1) * sum(r * r for r in within.values()) / len(rows) ** 2
    return mean, math.sqrt(variance), schools - 1


def _interval(mean: float, se: float | None, df: int) -> list[Decimal] | None:
    if se is None:
        return None
    half = t_critical(df) * se
    return [Decimal(repr(mean - half)), Decimal(repr(mean + half))]


COUNTS = {"pupils", "schools", "matched_pupils", "matched_schools"}
FIGURES = ("matched_pupils", "matched_schools", "gain", "gain_ci", "effect_size_d",
           "effect_size_d_ci", "difference_in_differences", "difference_in_differences_ci")


def _flat(cell: dict[str, Any]) -> dict[str, Decimal | int | None]:
    """name -> value, an interval's bounds as name.low and name.high."""
    out: dict[str, Decimal | int | None] = {}

    def put(name: str, value: Any, count: bool) -> None:
        if isinstance(value, list):
            put(f"{name}.low", value[0], False)
            put(f"{name}.high", value[1], False)
        else:
            out[name] = value if value is None or count else Decimal(value)

    for phase in ("baseline", "endline"):
        for name, value in (cell.get(phase) or {}).items():
            put(f"{phase}.{name}", value, name in COUNTS)
    for name in FIGURES:
        if name in cell:
            put(name, cell[name], name in COUNTS)
    return out


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, Decimal) and isinstance(actual, Decimal):
        return abs(expected - actual) <= PRECISION  # the report rounds half-even to 0.001
    return bool(expected == actual)


def outcome_differences(programme_id: str, expected: dict[Cell, dict[str, Any]],
                        reported: list[dict[str, Any]]) -> list[dict[str, Any]]:
    actual = {(c["endline_round_id"], c["grade"], c["subject"], c["split"]): c
              for c in reported}
    out = []
    for key in sorted(set(expected) | set(actual), key=str):
        want, got = _flat(expected.get(key, {})), _flat(actual.get(key, {}))
        for name in sorted(set(want) | set(got)):
            if not _same(want.get(name), got.get(name)):
                out.append({"programme_id": programme_id,
                            "indicator": "outcome:" + ":".join(map(str, key)) + f":{name}",
                            "from_logs": _text(want.get(name)),
                            "read_model": _text(got.get(name))})
    return out


def _text(value: Any) -> Any:
    return str(value.quantize(PRECISION)) if isinstance(value, Decimal) else value
