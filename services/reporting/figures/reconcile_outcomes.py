"""Learning outcomes recomputed from the logs in plain Python, for reconciliation: the same
cells as `outcomes.learning_outcomes` (per endline and its baseline, grade, subject and
split: pupils, mean, share at or above the threshold; matched pupils, gain and d_av), by a
fold that shares none of its SQL. Decimals are compared to the report's own precision."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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

    def apply(self, e: Envelope) -> None:
        d = e.data
        if e.type == "AssessmentRoundOpened":
            self.rounds[d["round_id"]] = d
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

    def _splits(self, school: str, year: str) -> list[str]:
        return ["all", "small_class" if self.small_class(school, year) else "other",
                f"district:{self.districts.get(school)}"]

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
        groups: dict[Cell, list[tuple[int, int]]] = defaultdict(list)
        for (r, school, grade, _, subject), score in self.scores.items():
            if r != info["round_id"]:
                continue
            threshold = info["subjects"][subject]["threshold"]
            for split in self._splits(school, info["school_year"]):
                groups[(endline["round_id"], grade, subject, split)].append(
                    (score, int(score >= threshold)))
        for key, rows in groups.items():
            out.setdefault(key, {})[phase] = {
                "pupils": len(rows), "mean": statistics.mean(Decimal(s) for s, _ in rows),
                "share_at_or_above_threshold": statistics.mean(Decimal(a) for _, a in rows)}

    def _matched(self, out: dict[Cell, dict[str, Any]], endline: dict[str, Any],
                 baseline: dict[str, Any]) -> None:
        after: dict[tuple[str, str], list[int]] = defaultdict(list)
        for (r, _, _, pupil, subject), score in self.scores.items():
            if r == endline["round_id"]:
                after[(pupil, subject)].append(score)
        pairs: dict[Cell, list[tuple[int, int]]] = defaultdict(list)
        for (r, school, grade, pupil, subject), before in self.scores.items():
            if r != baseline["round_id"]:
                continue
            for later in after.get((pupil, subject), []):
                for split in self._splits(school, baseline["school_year"]):
                    pairs[(endline["round_id"], grade, subject, split)].append((before, later))
        for key, rows in pairs.items():
            cell = out.setdefault(key, {})
            gain = statistics.mean(Decimal(a - b) for b, a in rows)
            cell.update({"matched_pupils": len(rows), "gain": gain, "effect_size_d": None})
            if len(rows) > 1:
                pooled = ((statistics.variance([Decimal(b) for b, _ in rows])
                           + statistics.variance([Decimal(a) for _, a in rows])) / 2).sqrt()
                cell["effect_size_d"] = gain / pooled if pooled else None


def _flat(cell: dict[str, Any]) -> dict[str, Decimal | int | None]:
    out: dict[str, Decimal | int | None] = {}
    for phase in ("baseline", "endline"):
        for name, value in (cell.get(phase) or {}).items():
            out[f"{phase}.{name}"] = value if value is None or name == "pupils" \
                else Decimal(value)
    for name in ("matched_pupils", "gain", "effect_size_d"):
        if name in cell:
            value = cell[name]
            out[name] = value if value is None or name == "matched_pupils" else Decimal(value)
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
