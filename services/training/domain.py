"""Training aggregates. Public methods check the rules; private @event methods record facts.

Identities are derived from natural keys (uuid5), so re-sending a command finds the same
aggregate instead of creating a twin.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from shared.errors import Conflict, DomainRuleViolated

NAMESPACE = uuid.UUID("0f3c9d52-2b57-4f0e-9a55-6d1f1d9b3c01")

FORMATS = ("online", "seminar", "blended")
AUDIENCES = ("teacher", "manager")
# The national ladder of teacher qualification categories, lowest first.
CATEGORIES = ("педагог-стажёр", "педагог", "педагог-модератор", "педагог-эксперт",
              "педагог-исследователь", "педагог-мастер")


def natural_id(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join([kind, *map(str, parts)]))


class Course(Aggregate):
    """A course of a programme: online lessons, seminars or both."""

    @staticmethod
    def create_id(programme_id: str, code: str, **_: object) -> uuid.UUID:
        return natural_id("course", programme_id, code)

    @event("Scheduled")
    def __init__(self, programme_id: str, code: str, title: str, subject: str, format: str,
                 audience: str, planned_hours: Decimal, completion_hours: Decimal,
                 provider: str) -> None:
        self.programme_id = programme_id
        self.code = code
        self.title = title
        self.subject = subject
        self.format = format
        self.audience = audience
        self.planned_hours = planned_hours
        self.completion_hours = completion_hours
        self.provider = provider
        self.trainer_id: str | None = None

    def same_schedule(self, **details: object) -> bool:
        return all(getattr(self, name) == value for name, value in details.items())

    def assign_trainer(self, trainer_id: str) -> None:
        if self.trainer_id == trainer_id:
            return
        self._assign_trainer(trainer_id, self.programme_id, self.code)

    @event("TrainerAssigned")
    def _assign_trainer(self, trainer_id: str, programme_id: str, code: str) -> None:
        self.trainer_id = trainer_id


class Enrolment(Aggregate):
    """One participant in one course: attendance, then completion or drop."""

    @staticmethod
    def create_id(course_id: uuid.UUID, participant_id: str, **_: object) -> uuid.UUID:
        return natural_id("enrolment", course_id, participant_id)

    @event("Enrolled")
    def __init__(self, course_id: uuid.UUID, programme_id: str, participant_id: str,
                 school_id: str, role: str, management_team_id: str | None,
                 enrolled_on: date) -> None:
        self.course_id = course_id
        self.programme_id = programme_id
        self.participant_id = participant_id
        self.school_id = school_id
        self.role = role
        self.management_team_id = management_team_id
        self.enrolled_on = enrolled_on
        self.sessions: dict[str, Decimal] = {}
        self.attended_on: dict[str, date] = {}
        self.status = "enrolled"
        self.closed_on: date | None = None

    def keys(self) -> dict[str, str | None]:
        """Carried by every later event so that its public contract stands on its own."""
        return {"course_id": str(self.course_id), "programme_id": self.programme_id,
                "participant_id": self.participant_id, "school_id": self.school_id,
                "role": self.role, "management_team_id": self.management_team_id}

    @property
    def attended_hours(self) -> Decimal:
        return sum(self.sessions.values(), Decimal(0))

    def check_same_enrolment(self, school_id: str, role: str,
                             management_team_id: str | None) -> None:
        if (self.school_id, self.role, self.management_team_id) != (
                school_id, role, management_team_id):
            raise Conflict(
                f"participant {self.participant_id} is already enrolled in this course "
                f"(school {self.school_id}, role {self.role}); enrolling twice is not allowed")

    def check_is_open(self, action: str) -> None:
        if self.status != "enrolled":
            raise DomainRuleViolated(
                f"enrolment is {self.status} since {self.closed_on}; cannot {action}")

    def check_not_before_enrolment(self, day: date, field: str, what: str) -> None:
        if day < self.enrolled_on:
            raise DomainRuleViolated(
                f"{what} on {day} is before enrolment on {self.enrolled_on}",
                {field: [f"Must be on or after the enrolment date {self.enrolled_on}."]})

    def check_not_before_attendance(self, day: date, field: str, what: str) -> None:
        last = max(self.attended_on.values(), default=None)
        if last is not None and day < last:
            raise DomainRuleViolated(
                f"{what} on {day} is before the last attended session on {last}",
                {field: [f"Must be on or after the last attended session {last}."]})

    def record_attendance(self, session_id: str, attended_on: date, hours: Decimal) -> None:
        if session_id in self.sessions:
            if self.sessions[session_id] != hours:
                raise Conflict(f"session {session_id} is already recorded with "
                               f"{self.sessions[session_id]} hours, not {hours}")
            return
        self.check_is_open("record attendance")
        self.check_not_before_enrolment(attended_on, "attended_on", "attendance")
        self._record_attendance(session_id, attended_on, hours, self.keys())

    @event("AttendanceRecorded")
    def _record_attendance(self, session_id: str, attended_on: date, hours: Decimal,
                           keys: dict[str, str | None]) -> None:
        self.sessions[session_id] = hours
        self.attended_on[session_id] = attended_on

    def complete(self, completed_on: date, required_hours: Decimal) -> None:
        if self.status == "completed":
            return
        self.check_is_open("complete it")
        self.check_not_before_enrolment(completed_on, "completed_on", "completion")
        self.check_not_before_attendance(completed_on, "completed_on", "completion")
        if self.attended_hours < required_hours:
            raise DomainRuleViolated(
                f"attended {self.attended_hours} hours of the {required_hours} the course "
                f"requires for completion")
        self._complete(completed_on, self.attended_hours, self.keys())

    @event("Completed")
    def _complete(self, completed_on: date, attended_hours: Decimal,
                  keys: dict[str, str | None]) -> None:
        self.status = "completed"
        self.closed_on = completed_on

    def drop(self, dropped_on: date, reason: str) -> None:
        if self.status == "dropped":
            return
        self.check_is_open("drop it")
        self.check_not_before_enrolment(dropped_on, "dropped_on", "dropping out")
        self._drop(dropped_on, reason, self.keys())

    @event("Dropped")
    def _drop(self, dropped_on: date, reason: str, keys: dict[str, str | None]) -> None:
        self.status = "dropped"
        self.closed_on = dropped_on


class Trainer(Aggregate):
    """A rural teacher certified to lead courses: the programme's trainer pool."""

    @staticmethod
    def create_id(person_id: str, programme_id: str, **_: object) -> uuid.UUID:
        return natural_id("trainer", programme_id, person_id)

    @event("Certified")
    def __init__(self, person_id: str, programme_id: str, school_id: str,
                 subjects: list[str], certified_on: date) -> None:
        self.person_id = person_id
        self.programme_id = programme_id
        self.school_id = school_id
        self.subjects = subjects
        self.certified_on = certified_on

    def check_can_lead(self, course: Course) -> None:
        if self.programme_id != course.programme_id:
            raise DomainRuleViolated(
                f"trainer {self.person_id} is certified for programme {self.programme_id}, "
                f"not {course.programme_id}")
        if course.subject not in self.subjects:
            raise DomainRuleViolated(
                f"trainer {self.person_id} is not certified for subject {course.subject!r}")


class QualificationRecord(Aggregate):
    """A teacher's attested qualification categories over time."""

    @staticmethod
    def create_id(teacher_id: str, **_: object) -> uuid.UUID:
        return natural_id("qualification", teacher_id)

    @event("Opened")
    def __init__(self, teacher_id: str) -> None:
        self.teacher_id = teacher_id
        self.attestations: list[tuple[date, str, str, str | None]] = []

    @property
    def category(self) -> str | None:
        return self.attestations[-1][1] if self.attestations else None

    def attest(self, category: str, attested_on: date, school_id: str,
               programme_id: str | None) -> None:
        for when, attested, _school, _prog in self.attestations:
            if when == attested_on:
                if attested == category:
                    return
                raise Conflict(f"teacher {self.teacher_id} already has category "
                               f"{attested!r} attested on {when}")
        if self.attestations and attested_on < self.attestations[-1][0]:
            raise DomainRuleViolated(
                f"attestation on {attested_on} is earlier than the latest one on "
                f"{self.attestations[-1][0]}")
        self._attest(self.teacher_id, category, attested_on, school_id, programme_id)

    @event("CategoryAttested")
    def _attest(self, teacher_id: str, category: str, attested_on: date, school_id: str,
                programme_id: str | None) -> None:
        self.attestations.append((attested_on, category, school_id, programme_id))


class Practice(Aggregate):
    """A school's practice under a direction, spread to other schools (the league)."""

    @staticmethod
    def create_id(school_id: str, code: str, **_: object) -> uuid.UUID:
        return natural_id("practice", school_id, code)

    @event("Published")
    def __init__(self, programme_id: str, school_id: str, code: str, direction: str,
                 title: str, published_on: date) -> None:
        self.programme_id = programme_id
        self.school_id = school_id
        self.code = code
        self.direction = direction
        self.title = title
        self.published_on = published_on
        self.adopters: dict[str, date] = {}

    def adopt(self, school_id: str, adopted_on: date) -> None:
        if school_id == self.school_id:
            raise DomainRuleViolated("a school cannot adopt its own practice")
        if school_id in self.adopters:
            return
        if adopted_on < self.published_on:
            raise DomainRuleViolated(
                f"adoption on {adopted_on} is before publication on {self.published_on}")
        self._adopt(school_id, adopted_on, self.programme_id, self.direction)

    @event("Adopted")
    def _adopt(self, school_id: str, adopted_on: date, programme_id: str,
               direction: str) -> None:
        self.adopters[school_id] = adopted_on
