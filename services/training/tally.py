"""A fold of the training log into per-programme figures, for the `summary` query."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.training.domain import Course, Enrolment, Practice, QualificationRecord, Trainer
from shared.application import ServiceApplication
from shared.fold import LogFold


@dataclass
class ProgrammeFigures:
    courses_by_format: Counter[str] = field(default_factory=Counter)
    courses_led_by_certified_trainers: set[Any] = field(default_factory=set)
    enrolled: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    completed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dropped_enrolments: int = 0
    teams_enrolled: set[str] = field(default_factory=set)
    teams_completed: set[str] = field(default_factory=set)
    attended_hours: Decimal = Decimal(0)
    trainers: set[str] = field(default_factory=set)
    categories: dict[str, str] = field(default_factory=dict)
    practices: set[Any] = field(default_factory=set)
    adoptions: int = 0
    adopting_schools: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "courses": sum(self.courses_by_format.values()),
            "courses_by_format": dict(sorted(self.courses_by_format.items())),
            "courses_led_by_certified_trainers": len(self.courses_led_by_certified_trainers),
            "teachers_enrolled": len(self.enrolled["teacher"]),
            "teachers_trained": len(self.completed["teacher"]),
            "managers_enrolled": len(self.enrolled["manager"]),
            "managers_trained": len(self.completed["manager"]),
            "management_teams_enrolled": len(self.teams_enrolled),
            "management_teams_trained": len(self.teams_completed),
            "enrolments_dropped": self.dropped_enrolments,
            "attended_hours": str(self.attended_hours),
            "trainers_certified": len(self.trainers),
            "teachers_by_category": dict(sorted(Counter(self.categories.values()).items())),
            "practices_published": len(self.practices),
            "practice_adoptions": self.adoptions,
            "schools_adopting": len(self.adopting_schools),
        }


class TrainingTally(LogFold):
    def __init__(self, app: ServiceApplication, page: int = 1000) -> None:
        super().__init__(app, page)
        self.programmes: dict[str, ProgrammeFigures] = defaultdict(ProgrammeFigures)

    def figures(self, programme_id: str) -> dict[str, Any]:
        return self.read(lambda: {"programme_id": programme_id,
                                  "as_of_notification_id": self.position,
                                  **self.programmes[programme_id].as_dict()})

    def apply(self, e: Any) -> None:  # noqa: C901 - one branch per event type reads best
        if isinstance(e, Course.Scheduled):
            self.programmes[e.programme_id].courses_by_format[e.format] += 1
        elif isinstance(e, Course.TrainerAssigned):
            self.programmes[e.programme_id].courses_led_by_certified_trainers.add(e.originator_id)
        elif isinstance(e, Enrolment.Enrolled):
            figures = self.programmes[e.programme_id]
            figures.enrolled[e.role].add(e.participant_id)
            if e.management_team_id:
                figures.teams_enrolled.add(e.management_team_id)
        elif isinstance(e, Enrolment.AttendanceRecorded):
            self.programmes[e.keys["programme_id"]].attended_hours += e.hours
        elif isinstance(e, Enrolment.Completed):
            figures = self.programmes[e.keys["programme_id"]]
            figures.completed[e.keys["role"]].add(e.keys["participant_id"])
            if e.keys["management_team_id"]:
                figures.teams_completed.add(e.keys["management_team_id"])
        elif isinstance(e, Enrolment.Dropped):
            self.programmes[e.keys["programme_id"]].dropped_enrolments += 1
        elif isinstance(e, Trainer.Certified):
            self.programmes[e.programme_id].trainers.add(e.person_id)
        elif isinstance(e, QualificationRecord.CategoryAttested) and e.programme_id:
            self.programmes[e.programme_id].categories[e.teacher_id] = e.category
        elif isinstance(e, Practice.Published):
            self.programmes[e.programme_id].practices.add(e.originator_id)
        elif isinstance(e, Practice.Adopted):
            figures = self.programmes[e.programme_id]
            figures.adoptions += 1
            figures.adopting_schools.add(e.school_id)
