"""The training service's nameko adapter: validate (marshmallow), delegate, dump."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from services.training import schemas as s
from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS
from services.training.domain import Course, Enrolment, Practice
from services.training.registry_facts import NotKnownYet
from services.training.tally import TrainingTally
from shared.access.caller import by_uuid, scope
from shared.broker import subscribe
from shared.bulk import bulk_reply
from shared.commands import command
from shared.errors import InvalidInput
from shared.eventstore import EventStore
from shared.follow import SourceLog, catch_up_timer
from shared.reading import EnvelopeReader
from shared.service import EventSourcedService
from shared.validation import load

T = TypeVar("T")

# The programme each command records for, checked against a caller's grant.
IN_PROGRAMME = scope("programme_id")
OF_COURSE = scope("course_id", by_uuid(lambda svc, id_: svc.app.course_facts(id_).programme_id))
# A batch naming its course records for the course's programme, whatever else it says.
OF_COURSE_OR_PROGRAMME = scope("course_id", OF_COURSE.resolve, fallback=IN_PROGRAMME)
OF_ENROLMENT = scope("enrolment_id", by_uuid(
    lambda svc, id_: svc.app.load(id_, Enrolment, "enrolment").programme_id))
OF_PRACTICE = scope("practice_id", by_uuid(
    lambda svc, id_: svc.app.load(id_, Practice, "practice").programme_id))


class TrainingService(EventSourcedService):
    """Courses, enrolments, attendance, completion, trainers, categories and practices.

    Every command takes keyword arguments, validated by the schema of the same name; the
    reply is the aggregate's view. Re-sending a command with the same natural key returns
    the same aggregate and stores nothing. A command naming a programme or a school that
    training has not learnt of from the registry is refused, naming the field, after one
    catch-up from the registry's log (docs/contracts.md, "Not known yet").
    """

    name = "training"
    store = EventStore(TrainingApplication, CONTRACTS, fold=TrainingTally)
    registry_log = SourceLog("registry")
    reader = EnvelopeReader()  # the registry's events at the versions this deployment reads

    @property
    def app(self) -> TrainingApplication:
        return self.store.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ registry events
    @subscribe("registry", "ProgrammeLaunched")
    def on_programme_launched(self, message: dict[str, Any]) -> None:
        self.app.record_programme_launched(self.reader.read(message).data["programme_id"])

    @subscribe("registry", "OrganisationJoinedProgramme")
    def on_joined_programme(self, message: dict[str, Any]) -> None:
        data = self.reader.read(message).data
        self.app.record_school_joined(data["programme_id"], data["organisation_id"])

    @catch_up_timer
    def follow_registry(self) -> None:
        """On start and every CATCH_UP.interval: what the queue missed, from the log."""
        self.registry_log.tick()

    @command
    def catch_up_registry(self, **payload: Any) -> dict[str, Any]:
        """Learn programmes and their schools from the registry's log past training's
        watermark now (as the periodic catch-up does); idempotent. Reply: {"read",
        "applied", "after", "last_notification_id"}"""
        load(s.Command(), payload)
        return self.registry_log.follow()

    def _known(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`action`, and if it names what training has not learnt of yet (it then stored
        nothing), one catch-up from the registry's log within CATCH_UP.miss_timeout and
        `action` again; still unknown, the refusal naming the field."""
        try:
            return action(*args, **kwargs)
        except NotKnownYet:
            self.registry_log.follow_on_miss()  # Unavailable if the registry is silent
        try:
            return action(*args, **kwargs)
        except NotKnownYet as exc:
            raise exc.refusal from None

    @command(programme=IN_PROGRAMME)
    def schedule_course(self, **payload: Any) -> dict[str, Any]:
        """Schedule a course. Example reply: {"id": "...", "code": "BA-ONL-01", ...}"""
        return s.CourseView().dump(
            self._known(self.app.schedule_course, **load(s.ScheduleCourse(), payload)))

    @command(programme=OF_COURSE)
    def assign_trainer(self, **payload: Any) -> dict[str, Any]:
        """Let a certified trainer of the programme lead a course (the cascade)."""
        return s.CourseView().dump(self.app.assign_trainer(**load(s.AssignTrainer(), payload)))

    @command(programme=OF_COURSE)
    def enrol(self, **payload: Any) -> dict[str, Any]:
        """Enrol a teacher, or a manager with their management team, in a course; the
        school must be one of the course's programme (the registry's joins)."""
        return s.EnrolmentView().dump(self._known(self.app.enrol, **load(s.Enrol(), payload)))

    @command(programme=OF_ENROLMENT)
    def record_attendance(self, **payload: Any) -> dict[str, Any]:
        """Record the hours attended in one session (idempotent per session_id)."""
        return s.EnrolmentView().dump(
            self.app.record_attendance(**load(s.RecordAttendance(), payload)))

    @command(programme=OF_ENROLMENT)
    def complete(self, **payload: Any) -> dict[str, Any]:
        """Complete an enrolment whose attended hours meet the course's rule."""
        return s.EnrolmentView().dump(self.app.complete(**load(s.Complete(), payload)))

    @command(programme=OF_ENROLMENT)
    def drop(self, **payload: Any) -> dict[str, Any]:
        """Record that a participant left a course, with the reason."""
        return s.EnrolmentView().dump(self.app.drop(**load(s.Drop(), payload)))

    @command(programme=OF_COURSE_OR_PROGRAMME)
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
            course_id = batch["course_id"] or self._known(
                self.app.course_by_code, batch["programme_id"], batch["course_code"]).id
            programme_id = self.app.course_facts(course_id).programme_id
            if self.app.unknown_schools(programme_id, (row["school_id"] for row in rows)):
                self.registry_log.follow_on_miss()  # then rows still unknown are rejected
            report += self.app.record_training(course_id, rows)
        return bulk_reply("training", "participant", report)

    @command(programme=IN_PROGRAMME)
    def certify_trainer(self, **payload: Any) -> dict[str, Any]:
        """Add a rural teacher to the programme's trainer pool."""
        return s.TrainerView().dump(
            self._known(self.app.certify_trainer, **load(s.CertifyTrainer(), payload)))

    @command(programme=IN_PROGRAMME)
    def attest_category(self, **payload: Any) -> dict[str, Any]:
        """Record a teacher's attested qualification category."""
        return s.QualificationView().dump(
            self._known(self.app.attest_category, **load(s.AttestCategory(), payload)))

    @command(programme=IN_PROGRAMME)
    def publish_practice(self, **payload: Any) -> dict[str, Any]:
        """Publish a school's practice under a direction."""
        return s.PracticeView().dump(
            self._known(self.app.publish_practice, **load(s.PublishPractice(), payload)))

    @command(programme=OF_PRACTICE)
    def adopt_practice(self, **payload: Any) -> dict[str, Any]:
        """Record another school adopting a practice."""
        return s.PracticeView().dump(
            self._known(self.app.adopt_practice, **load(s.AdoptPractice(), payload)))

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
        programme_id = load(s.ProgrammeQuery(), payload)["programme_id"]
        self._known(self.app.check_programme, programme_id)  # NotFound naming programme_id
        return self.store.fold.figures(programme_id)  # type: ignore[no-any-return]

    @command
    def find_course(self, **payload: Any) -> dict[str, Any]:
        """A course by its natural key, as exports name it: {"programme_id":
        "uralsk-accelerator", "code": "URL-ACAD-01"} -> the course's view; NotFound naming
        `code` (or `programme_id`, for a programme training does not know)."""
        query = load(s.CourseQuery(), payload)
        return s.CourseView().dump(self._known(self.app.course_by_code, query["programme_id"],
                                               query["code"], field="code"))

    @command
    def list_courses(self, **payload: Any) -> dict[str, Any]:
        """A programme's courses by code, for filling an import (`baqylau list courses`):
        {"programme_id": "uralsk-accelerator"} -> {"programme_id": ..., "courses": [the
        courses' views]}; NotFound naming `programme_id` for one training does not know."""
        programme_id = load(s.ProgrammeQuery(), payload)["programme_id"]
        courses = self._known(self.app.courses_of, programme_id)
        return {"programme_id": programme_id, "courses": s.CourseView(many=True).dump(courses)}
