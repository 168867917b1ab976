"""The training service's nameko adapter: validate (marshmallow), delegate, dump."""

from __future__ import annotations

from typing import Any

from services.training import schemas as s
from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS
from services.training.domain import Course, Enrolment
from services.training.tally import TrainingTally
from shared.bulk import bulk_reply
from shared.commands import command
from shared.errors import InvalidInput
from shared.eventstore import EventStore
from shared.service import EventSourcedService
from shared.validation import load


class TrainingService(EventSourcedService):
    """Courses, enrolments, attendance, completion, trainers, categories and practices.

    Every command takes keyword arguments, validated by the schema of the same name; the
    reply is the aggregate's view. Re-sending a command with the same natural key returns
    the same aggregate and stores nothing.
    """

    name = "training"
    store = EventStore(TrainingApplication, CONTRACTS, fold=TrainingTally)

    @property
    def app(self) -> TrainingApplication:
        return self.store.app  # type: ignore[return-value]

    @command
    def schedule_course(self, **payload: Any) -> dict[str, Any]:
        """Schedule a course. Example reply: {"id": "...", "code": "BA-ONL-01", ...}"""
        return s.CourseView().dump(self.app.schedule_course(**load(s.ScheduleCourse(), payload)))

    @command
    def assign_trainer(self, **payload: Any) -> dict[str, Any]:
        """Let a certified trainer of the programme lead a course (the cascade)."""
        return s.CourseView().dump(self.app.assign_trainer(**load(s.AssignTrainer(), payload)))

    @command
    def enrol(self, **payload: Any) -> dict[str, Any]:
        """Enrol a teacher, or a manager with their management team, in a course."""
        return s.EnrolmentView().dump(self.app.enrol(**load(s.Enrol(), payload)))

    @command
    def record_attendance(self, **payload: Any) -> dict[str, Any]:
        """Record the hours attended in one session (idempotent per session_id)."""
        return s.EnrolmentView().dump(
            self.app.record_attendance(**load(s.RecordAttendance(), payload)))

    @command
    def complete(self, **payload: Any) -> dict[str, Any]:
        """Complete an enrolment whose attended hours meet the course's rule."""
        return s.EnrolmentView().dump(self.app.complete(**load(s.Complete(), payload)))

    @command
    def drop(self, **payload: Any) -> dict[str, Any]:
        """Record that a participant left a course, with the reason."""
        return s.EnrolmentView().dump(self.app.drop(**load(s.Drop(), payload)))

    @command
    def record_training(self, **payload: Any) -> dict[str, Any]:
        """A course's participants in bulk (up to 5,000 rows), stored in one transaction.

        Each row: {"row": 2, "participant_id": "TCH-0001", "school_id": "URL-SCH-01",
        "role": "teacher", "management_team_id": null, "enrolled_on": "2024-09-02",
        "sessions": [{"session_id": "academy", "attended_on": "2024-11-20", "hours": "36"}],
        "completed_on": "2024-11-20"} (or "dropped_on" with "drop_reason").
        Reply: {"counts": {"recorded": 909, "rejected": 1}, "rejected": [{"row": 7,
        "outcome": "rejected", "errors": {"completed_on": ["..."]}}]}. Sending the same rows
        again records nothing ("unchanged")."""
        batch = load(s.RecordTraining(), payload)
        schema = s.TrainingRow()  # one instance per call: a schema costs more than a row
        report, rows = [], []
        for position, raw in enumerate(batch["rows"], start=1):
            try:
                rows.append(load(schema, {"row": position, **raw}))
            except InvalidInput as exc:
                report.append({"row": raw.get("row", position), "outcome": "rejected",
                               "errors": exc.errors})
        if rows:
            course_id = batch["course_id"] or self.app.course_by_code(
                batch["programme_id"], batch["course_code"]).id
            report += self.app.record_training(course_id, rows)
        return bulk_reply("training", "participant", report)

    @command
    def certify_trainer(self, **payload: Any) -> dict[str, Any]:
        """Add a rural teacher to the programme's trainer pool."""
        return s.TrainerView().dump(self.app.certify_trainer(**load(s.CertifyTrainer(), payload)))

    @command
    def attest_category(self, **payload: Any) -> dict[str, Any]:
        """Record a teacher's attested qualification category."""
        return s.QualificationView().dump(
            self.app.attest_category(**load(s.AttestCategory(), payload)))

    @command
    def publish_practice(self, **payload: Any) -> dict[str, Any]:
        """Publish a school's practice under a direction."""
        return s.PracticeView().dump(
            self.app.publish_practice(**load(s.PublishPractice(), payload)))

    @command
    def adopt_practice(self, **payload: Any) -> dict[str, Any]:
        """Record another school adopting a practice."""
        return s.PracticeView().dump(self.app.adopt_practice(**load(s.AdoptPractice(), payload)))

    # ------------------------------------------------------------------ queries
    @command
    def get_course(self, **payload: Any) -> dict[str, Any]:
        aggregate_id = load(s.IdQuery(), payload)["id"]
        return s.CourseView().dump(self.app.load(aggregate_id, Course, "course"))

    @command
    def get_enrolment(self, **payload: Any) -> dict[str, Any]:
        aggregate_id = load(s.IdQuery(), payload)["id"]
        return s.EnrolmentView().dump(self.app.load(aggregate_id, Enrolment, "enrolment"))

    @command
    def summary(self, **payload: Any) -> dict[str, Any]:
        """Figures for one programme as this service holds them, e.g.
        {"programme_id": "baquatty-audan", "teachers_trained": 500, ...}"""
        query = load(s.ProgrammeQuery(), payload)
        return self.store.fold.figures(query["programme_id"])  # type: ignore[no-any-return]
