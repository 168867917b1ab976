"""Marshmallow contracts of the training RPC API: commands in, views out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.training.domain import AUDIENCES, CATEGORIES, FORMATS
from shared.fields import Ref, Text

HOURS = dict(places=1, validate=validate.Range(min=Decimal("0.5"), max=Decimal("2000")))
# A session of attendance: at least half an hour, in one command or as a bulk row's session
# (the import's `hours` column, whose template states this very rule: cli/templates.py).
SESSION_MIN_HOURS = Decimal("0.5")
ONE_SESSION_MAX_HOURS = Decimal("12")  # one day's session (record_attendance)


class Command(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class ScheduleCourse(Command):
    programme_id = Ref(required=True)
    code = Ref(required=True)
    title = Text(required=True)
    subject = Text(max_length=100, required=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    planned_hours = fields.Decimal(required=True, **HOURS)
    completion_hours = fields.Decimal(load_default=None, **HOURS)
    provider = Text(max_length=200, required=True)

    @validates_schema
    def completion_within_plan(self, data: dict[str, Any], **_: Any) -> None:
        hours = data.get("completion_hours")
        if hours is not None and hours > data["planned_hours"]:
            raise ValidationError("Must not exceed planned_hours.", "completion_hours")

    def load(self, *args: Any, **kwargs: Any) -> Any:
        data = super().load(*args, **kwargs)
        if data["completion_hours"] is None:  # by default every planned hour is required
            data["completion_hours"] = data["planned_hours"]
        return data


class AssignTrainer(Command):
    course_id = fields.UUID(required=True)
    trainer_id = fields.UUID(required=True)


class Enrol(Command):
    course_id = fields.UUID(required=True)
    participant_id = Ref(required=True)
    school_id = Ref(required=True)
    role = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    management_team_id = Ref(load_default=None, allow_none=True)
    enrolled_on = fields.Date(required=True)

    @validates_schema
    def managers_belong_to_a_team(self, data: dict[str, Any], **_: Any) -> None:
        team = data.get("management_team_id")
        if data.get("role") == "manager" and not team:
            raise ValidationError("Required for a manager.", "management_team_id")
        if data.get("role") == "teacher" and team:
            raise ValidationError("Only managers belong to a management team.",
                                  "management_team_id")


MAX_ROWS_PER_CALL = 5000


class Session(Schema):
    session_id = Ref(required=True)
    attended_on = fields.Date(required=True)
    # An export's session may be an academy's total, hence the larger maximum.
    hours = fields.Decimal(required=True, places=1,
                           validate=validate.Range(min=SESSION_MIN_HOURS, max=Decimal("2000")))


class TrainingRow(Enrol):
    """One participant of a course as a bulk row: the enrolment, the sessions attended and,
    when known, the completion or the drop-out."""

    course_id = fields.UUID(load_default=None)  # given once for the whole call
    row = fields.Integer(required=True, strict=True)
    sessions = fields.List(fields.Nested(Session), load_default=list,
                           validate=validate.Length(max=200))
    completed_on = fields.Date(load_default=None, allow_none=True)
    dropped_on = fields.Date(load_default=None, allow_none=True)
    drop_reason = Text(max_length=500, load_default=None, allow_none=True)

    @validates_schema
    def ends_once(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("completed_on") and data.get("dropped_on"):
            raise ValidationError("A participant completes or drops out, not both.",
                                  "dropped_on")
        if data.get("dropped_on") and not data.get("drop_reason"):
            raise ValidationError("Required with dropped_on.", "drop_reason")


class RecordTraining(Command):
    """The course by its id, or as an export names it: programme and course code."""

    course_id = fields.UUID(load_default=None)
    programme_id = Ref(load_default=None)
    course_code = Ref(load_default=None)
    rows = fields.List(fields.Dict(), required=True,
                       validate=validate.Length(min=1, max=MAX_ROWS_PER_CALL))

    @validates_schema
    def names_one_course(self, data: dict[str, Any], **_: Any) -> None:
        by_code = data.get("programme_id") and data.get("course_code")
        if bool(data.get("course_id")) == bool(by_code):
            raise ValidationError("Give course_id, or programme_id with course_code.",
                                  "course_id")


class RecordAttendance(Command):
    enrolment_id = fields.UUID(required=True)
    session_id = Ref(required=True)
    attended_on = fields.Date(required=True)
    hours = fields.Decimal(required=True, places=1,
                           validate=validate.Range(min=SESSION_MIN_HOURS,
                                                   max=ONE_SESSION_MAX_HOURS))


class Complete(Command):
    enrolment_id = fields.UUID(required=True)
    completed_on = fields.Date(required=True)


class Drop(Command):
    enrolment_id = fields.UUID(required=True)
    dropped_on = fields.Date(required=True)
    reason = Text(max_length=500, required=True)


class CertifyTrainer(Command):
    person_id = Ref(required=True)
    programme_id = Ref(required=True)
    school_id = Ref(required=True)
    subjects = fields.List(Text(max_length=100), required=True,
                           validate=validate.Length(min=1, max=20))
    certified_on = fields.Date(required=True)


class AttestCategory(Command):
    teacher_id = Ref(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    attested_on = fields.Date(required=True)
    school_id = Ref(required=True)
    programme_id = Ref(load_default=None, allow_none=True)


class PublishPractice(Command):
    programme_id = Ref(required=True)
    school_id = Ref(required=True)
    code = Ref(required=True)
    direction = Text(max_length=200, required=True)
    title = Text(required=True)
    published_on = fields.Date(required=True)


class AdoptPractice(Command):
    practice_id = fields.UUID(required=True)
    school_id = Ref(required=True)
    adopted_on = fields.Date(required=True)


class ProgrammeQuery(Command):
    programme_id = Ref(required=True)


class CourseQuery(Command):
    programme_id = Ref(required=True)
    code = Ref(required=True)


class IdQuery(Command):
    id = fields.UUID(required=True)


# ------------------------------------------------------------------ views
class View(Schema):
    id = fields.UUID()
    version = fields.Integer()


class CourseView(View):
    programme_id = fields.String()
    code = fields.String()
    title = fields.String()
    subject = fields.String()
    format = fields.String()
    audience = fields.String()
    planned_hours = fields.Decimal(as_string=True)
    completion_hours = fields.Decimal(as_string=True)
    provider = fields.String()
    trainer_id = fields.String(allow_none=True)


class EnrolmentView(View):
    course_id = fields.UUID()
    programme_id = fields.String()
    participant_id = fields.String()
    school_id = fields.String()
    role = fields.String()
    management_team_id = fields.String(allow_none=True)
    enrolled_on = fields.Date()
    attended_hours = fields.Decimal(as_string=True)
    status = fields.String()
    closed_on = fields.Date(allow_none=True)


class TrainerView(View):
    person_id = fields.String()
    programme_id = fields.String()
    school_id = fields.String()
    subjects = fields.List(fields.String())
    certified_on = fields.Date()


class QualificationView(View):
    teacher_id = fields.String()
    category = fields.String(allow_none=True)


class PracticeView(View):
    programme_id = fields.String()
    school_id = fields.String()
    code = fields.String()
    direction = fields.String()
    title = fields.String()
    published_on = fields.Date()
    adopters = fields.Method("adopter_list")

    def adopter_list(self, practice: Any) -> list[str]:
        return sorted(practice.adopters)
