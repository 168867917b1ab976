"""The training Application: load, apply a command, save. Rules live in the aggregates."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.training.contracts import CONTRACTS
from services.training.domain import (
    Course,
    Enrolment,
    Practice,
    QualificationRecord,
    Trainer,
)
from services.training.registry_facts import NotKnownYet, RegistryFacts
from shared.application import retry_on_conflict
from shared.errors import Conflict, DomainRuleViolated, NotFound


@dataclass(frozen=True)
class CourseFacts:
    """What enrolling and completing need of a course: all fixed when it is scheduled (no
    course event changes them), so a process keeps them once read, in every replica."""

    programme_id: str
    code: str
    audience: str
    completion_hours: Decimal


class TrainingApplication(RegistryFacts):
    """Every command naming a programme or a school checks it against what training learnt
    from the registry (registry_facts.py) before it stores anything."""

    name = "training"
    contracts = CONTRACTS
    COURSES_KEPT = 10_000  # facts of this many courses at most, the first read kept

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._course_facts: dict[UUID, CourseFacts] = {}
        self._courses_by_programme: dict[str, set[UUID]] = {}
        self._courses_read_to = 0  # the last Scheduled event's notification id taken in
        self._courses_lock = threading.Lock()

    def course_facts(self, course_id: UUID) -> CourseFacts:
        """The course's fixed facts without a read once known: an enrolment's one read
        was the course's, a third of the command's time."""
        facts = self._course_facts.get(course_id)
        if facts is None:
            course = self.load(course_id, Course, "course")
            facts = CourseFacts(course.programme_id, course.code, course.audience,
                                course.completion_hours)
            if len(self._course_facts) < self.COURSES_KEPT:
                self._course_facts[course_id] = facts
        return facts

    # ---------------------------------------------------------------- courses
    @retry_on_conflict()
    def schedule_course(self, **details: Any) -> Course:
        existing = self.find(Course.create_id(**details), Course)
        if existing is not None:
            if not existing.same_schedule(**details):
                raise Conflict(f"course {details['code']} of programme "
                               f"{details['programme_id']} exists with other details")
            return existing
        self.check_programme(details["programme_id"])
        if details["completion_hours"] > details["planned_hours"]:
            raise DomainRuleViolated("completion_hours exceeds planned_hours")
        course = Course(**details)
        self.save(course)
        return course

    def course_by_code(self, programme_id: str, code: str, field: str = "course_code") -> Course:
        """The course as an export or a caller names it; NotFound naming `field`."""
        course = self.find(Course.create_id(programme_id=programme_id, code=code), Course)
        if course is None:
            self.check_programme(programme_id)
            raise NotFound(f"course {code} of programme {programme_id} not found",
                           {field: [f"No course {code} in {programme_id}."]})
        return course

    def courses_of(self, programme_id: str) -> list[Course]:
        """The programme's courses, by code: what an operator names in an import.
        NotKnownYet for a programme training has not learnt of."""
        self.check_programme(programme_id)
        with self._courses_lock:
            self._take_in_scheduled_courses()
            ids = sorted(self._courses_by_programme.get(programme_id, ()))
        return sorted((self.load(id_, Course, "course") for id_ in ids), key=lambda c: c.code)

    def _take_in_scheduled_courses(self) -> None:
        """Only the log's Scheduled events since the last call (the topic filtered in the
        database): the enrolments and attendance around them are never read."""
        topic = get_topic(Course.Scheduled)
        while batch := self.recorder.select_notifications(
                start=self._courses_read_to, limit=1000, topics=[topic],
                inclusive_of_start=False):
            for notification in batch:
                scheduled = self.mapper.to_domain_event(notification)
                self._courses_by_programme.setdefault(scheduled.programme_id, set()).add(
                    scheduled.originator_id)
            self._courses_read_to = batch[-1].id

    @retry_on_conflict()
    def assign_trainer(self, course_id: UUID, trainer_id: UUID) -> Course:
        course = self.load(course_id, Course, "course")
        trainer = self.load(trainer_id, Trainer, "certified trainer")
        trainer.check_can_lead(course)
        course.assign_trainer(str(trainer.id))
        self.save(course)
        return course

    # ---------------------------------------------------------------- enrolments
    @retry_on_conflict()
    def enrol(self, course_id: UUID, participant_id: str, school_id: str, role: str,
              management_team_id: str | None, enrolled_on: date) -> Enrolment:
        course = self.course_facts(course_id)
        if role != course.audience:
            raise DomainRuleViolated(f"course {course.code} is for {course.audience}s, "
                                     f"not {role}s")
        self.check_school(course.programme_id, school_id)
        enrolment = Enrolment(course_id=course_id, programme_id=course.programme_id,
                              participant_id=participant_id, school_id=school_id, role=role,
                              management_team_id=management_team_id, enrolled_on=enrolled_on)
        existing = self.save_new(enrolment)
        if existing is not None:
            existing.check_same_enrolment(school_id, role, management_team_id)
            return existing
        return enrolment

    @retry_on_conflict()
    def record_attendance(self, enrolment_id: UUID, session_id: str, attended_on: date,
                          hours: Decimal) -> Enrolment:
        enrolment = self.load(enrolment_id, Enrolment, "enrolment")
        enrolment.record_attendance(session_id, attended_on, hours)
        self.save(enrolment)
        return enrolment

    @retry_on_conflict()
    def complete(self, enrolment_id: UUID, completed_on: date) -> Enrolment:
        enrolment = self.load(enrolment_id, Enrolment, "enrolment")
        course = self.course_facts(enrolment.course_id)
        enrolment.complete(completed_on, course.completion_hours)
        self.save(enrolment)
        return enrolment

    @retry_on_conflict()
    def drop(self, enrolment_id: UUID, dropped_on: date, reason: str) -> Enrolment:
        enrolment = self.load(enrolment_id, Enrolment, "enrolment")
        enrolment.drop(dropped_on, reason)
        self.save(enrolment)
        return enrolment

    # ---------------------------------------------------------------- in bulk
    @retry_on_conflict()
    def record_training(self, course_id: UUID, rows: list[dict[str, Any]]
                        ) -> list[dict[str, Any]]:
        """A course's participants in one transaction: per row the enrolment, the sessions
        attended and the completion or drop-out, by the same rules as the single commands.
        A row that breaks one is rejected with its field and reason, and stores nothing;
        the others go on. A row already stored as it is comes back "unchanged"."""
        course = self.load(course_id, Course, "course")
        report, changed, seen = [], [], set()
        for row in rows:
            try:
                if row["participant_id"] in seen:
                    raise DomainRuleViolated("participant appears twice in this call", {
                        "participant_id": ["Appears in another row of this call."]})
                seen.add(row["participant_id"])
                enrolment = self._apply_row(course, row)
            except (DomainRuleViolated, Conflict) as exc:
                report.append({"row": row["row"], "outcome": "rejected", "errors": exc.errors})
                continue
            except NotKnownYet as exc:
                report.append({"row": row["row"], "outcome": "rejected",
                               "errors": exc.refusal.errors})
                continue
            fresh = bool(enrolment.pending_events)
            report.append({"row": row["row"], "outcome": "recorded" if fresh else "unchanged"})
            if fresh:
                changed.append(enrolment)
        if changed:
            self.save(*changed)
        return report

    def _apply_row(self, course: Course, row: dict[str, Any]) -> Enrolment:
        if row["role"] != course.audience:
            raise DomainRuleViolated(f"course {course.code} is for {course.audience}s", {
                "role": [f"Course {course.code} is for {course.audience}s."]})
        self.check_school(course.programme_id, row["school_id"])
        enrolment = self.find(Enrolment.create_id(course.id, row["participant_id"]), Enrolment)
        if enrolment is None:
            enrolment = Enrolment(course_id=course.id, programme_id=course.programme_id,
                                  participant_id=row["participant_id"],
                                  school_id=row["school_id"], role=row["role"],
                                  management_team_id=row["management_team_id"],
                                  enrolled_on=row["enrolled_on"])
        else:
            enrolment.check_same_enrolment(row["school_id"], row["role"],
                                           row["management_team_id"])
        for name, what in (("completed_on", "completion"), ("dropped_on", "dropping out")):
            if row[name] is not None:  # an export's sessions may be dated by the end
                enrolment.check_not_before_enrolment(row[name], name, what)
        for session in row["sessions"]:
            enrolment.record_attendance(session["session_id"], session["attended_on"],
                                        session["hours"])
        if row["completed_on"] is not None:
            enrolment.complete(row["completed_on"], course.completion_hours)
        elif row["dropped_on"] is not None:
            enrolment.drop(row["dropped_on"], row["drop_reason"])
        return enrolment

    # ---------------------------------------------------------------- trainers
    @retry_on_conflict()
    def certify_trainer(self, **details: Any) -> Trainer:
        self.check_programme(details["programme_id"])
        self.check_school(details["programme_id"], details["school_id"])
        existing = self.find(Trainer.create_id(**details), Trainer)
        if existing is not None:
            return existing
        trainer = Trainer(**details)
        self.save(trainer)
        return trainer

    # ---------------------------------------------------------------- categories
    @retry_on_conflict()
    def attest_category(self, teacher_id: str, category: str, attested_on: date,
                        school_id: str, programme_id: str | None) -> QualificationRecord:
        if programme_id is not None:
            self.check_programme(programme_id)
            self.check_school(programme_id, school_id)
        else:  # a category outside any programme: still a school the registry has
            self.check_known_school(school_id)
        record = self.find(QualificationRecord.create_id(teacher_id), QualificationRecord)
        if record is None:
            record = QualificationRecord(teacher_id=teacher_id)
        record.attest(category, attested_on, school_id, programme_id)
        self.save(record)
        return record

    # ---------------------------------------------------------------- practices
    @retry_on_conflict()
    def publish_practice(self, **details: Any) -> Practice:
        self.check_programme(details["programme_id"])
        self.check_school(details["programme_id"], details["school_id"])
        existing = self.find(Practice.create_id(**details), Practice)
        if existing is not None:
            return existing
        practice = Practice(**details)
        self.save(practice)
        return practice

    @retry_on_conflict()
    def adopt_practice(self, practice_id: UUID, school_id: str, adopted_on: date) -> Practice:
        practice = self.load(practice_id, Practice, "practice")
        self.check_school(practice.programme_id, school_id)
        practice.adopt(school_id, adopted_on)
        self.save(practice)
        return practice
