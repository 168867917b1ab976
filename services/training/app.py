"""The training Application: load, apply a command, save. Rules live in the aggregates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.training.domain import (
    Course,
    Enrolment,
    Practice,
    QualificationRecord,
    Trainer,
)
from shared.application import ServiceApplication, retry_on_conflict
from shared.errors import Conflict, DomainRuleViolated


class TrainingApplication(ServiceApplication):
    name = "training"

    # ---------------------------------------------------------------- courses
    @retry_on_conflict()
    def schedule_course(self, **details: Any) -> Course:
        existing = self.find(Course.create_id(**details), Course)
        if existing is not None:
            if not existing.same_schedule(**details):
                raise Conflict(f"course {details['code']} of programme "
                               f"{details['programme_id']} exists with other details")
            return existing
        if details["completion_hours"] > details["planned_hours"]:
            raise DomainRuleViolated("completion_hours exceeds planned_hours")
        course = Course(**details)
        self.save(course)
        return course

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
        course = self.load(course_id, Course, "course")
        if role != course.audience:
            raise DomainRuleViolated(f"course {course.code} is for {course.audience}s, "
                                     f"not {role}s")
        existing = self.find(Enrolment.create_id(course_id, participant_id), Enrolment)
        if existing is not None:
            existing.check_same_enrolment(school_id, role, management_team_id)
            return existing
        enrolment = Enrolment(course_id=course_id, programme_id=course.programme_id,
                              participant_id=participant_id, school_id=school_id, role=role,
                              management_team_id=management_team_id, enrolled_on=enrolled_on)
        self.save(enrolment)
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
        course = self.load(enrolment.course_id, Course, "course")
        enrolment.complete(completed_on, course.completion_hours)
        self.save(enrolment)
        return enrolment

    @retry_on_conflict()
    def drop(self, enrolment_id: UUID, dropped_on: date, reason: str) -> Enrolment:
        enrolment = self.load(enrolment_id, Enrolment, "enrolment")
        enrolment.drop(dropped_on, reason)
        self.save(enrolment)
        return enrolment

    # ---------------------------------------------------------------- trainers
    @retry_on_conflict()
    def certify_trainer(self, **details: Any) -> Trainer:
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
        record = self.find(QualificationRecord.create_id(teacher_id), QualificationRecord)
        if record is None:
            record = QualificationRecord(teacher_id=teacher_id)
        record.attest(category, attested_on, school_id, programme_id)
        self.save(record)
        return record

    # ---------------------------------------------------------------- practices
    @retry_on_conflict()
    def publish_practice(self, **details: Any) -> Practice:
        existing = self.find(Practice.create_id(**details), Practice)
        if existing is not None:
            return existing
        practice = Practice(**details)
        self.save(practice)
        return practice

    @retry_on_conflict()
    def adopt_practice(self, practice_id: UUID, school_id: str, adopted_on: date) -> Practice:
        practice = self.load(practice_id, Practice, "practice")
        practice.adopt(school_id, adopted_on)
        self.save(practice)
        return practice
