"""A fold of the assessment log: per round, grade and subject, counts, means and the share
at or above the threshold. Kept as running sums, so its memory does not grow with pupils."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from services.assessment.domain import AssessmentRound, ScoreSheet
from shared.application import ServiceApplication
from shared.fold import LogFold


@dataclass
class Cell:
    scores: int = 0
    total: int = 0
    at_or_above: int = 0

    def add(self, score: int, threshold: int, sign: int = 1) -> None:
        self.scores += sign
        self.total += sign * score
        self.at_or_above += sign * (score >= threshold)

    def as_dict(self) -> dict[str, Any]:
        def ratio(part: int) -> str | None:
            if not self.scores:
                return None
            return str((Decimal(part) / self.scores).quantize(Decimal("0.001"), ROUND_HALF_EVEN))
        return {"scores": self.scores, "mean": ratio(self.total),
                "share_at_or_above_threshold": ratio(self.at_or_above)}


class AssessmentTally(LogFold):
    def __init__(self, app: ServiceApplication, page: int = 1000) -> None:
        super().__init__(app, page)
        self.thresholds: dict[str, dict[str, int]] = {}
        self.cells: dict[str, dict[tuple[int, str], Cell]] = defaultdict(
            lambda: defaultdict(Cell))
        self.schools: dict[str, set[str]] = defaultdict(set)
        self.corrections: dict[str, int] = defaultdict(int)

    def apply(self, e: Any) -> None:
        if isinstance(e, AssessmentRound.Opened):
            self.thresholds[e.round_id] = {s: v["threshold"] for s, v in e.subjects.items()}
        elif isinstance(e, ScoreSheet.ScoresRecorded):
            round_id, grade = e.keys["round_id"], e.keys["grade"]
            self.schools[round_id].add(e.keys["school_id"])
            for _, subject, score in e.scores:
                self.cells[round_id][(grade, subject)].add(
                    score, self.thresholds[round_id][subject])
        elif isinstance(e, ScoreSheet.ScoreCorrected):
            round_id = e.keys["round_id"]
            cell = self.cells[round_id][(e.keys["grade"], e.subject)]
            threshold = self.thresholds[round_id][e.subject]
            cell.add(e.previous, threshold, sign=-1)
            cell.add(e.score, threshold)
            self.corrections[round_id] += 1

    def summary(self, round_id: str) -> dict[str, Any]:
        def query() -> dict[str, Any]:
            cells = self.cells.get(round_id, {})
            return {"round_id": round_id, "as_of_notification_id": self.position,
                    "schools": len(self.schools.get(round_id, ())),
                    "scores": sum(c.scores for c in cells.values()),
                    "corrections": self.corrections.get(round_id, 0),
                    "by_grade_and_subject": [
                        {"grade": grade, "subject": subject, **cell.as_dict()}
                        for (grade, subject), cell in sorted(cells.items())]}
        return self.read(query)
