"""Marshmallow contracts of the assessment RPC API: commands in, views out."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from services.assessment.domain import PHASES
from shared.fields import Ref, SchoolYear, Text

MAX_SCORES_PER_CALL = 5000
GRADES = validate.Range(1, 12)


class Command(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class Subject(Command):
    max_score = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))
    threshold = fields.Integer(required=True, strict=True, validate=validate.Range(0, 1000))

    @validates_schema
    def threshold_within_maximum(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("threshold", 0) > data.get("max_score", 1000):
            raise ValidationError("Must not exceed max_score.", "threshold")


class OpenRound(Command):
    round_id = Ref(required=True)
    programme_id = Ref(required=True)
    school_year = SchoolYear(required=True)
    phase = fields.String(required=True, validate=validate.OneOf(PHASES))
    grades = fields.List(fields.Integer(strict=True, validate=GRADES), required=True,
                         validate=validate.Length(min=1, max=12))
    subjects = fields.Dict(keys=Ref(), values=fields.Nested(Subject), required=True,
                           validate=validate.Length(min=1, max=30))
    opened_on = fields.Date(required=True)
    baseline_round_id = Ref(load_default=None, allow_none=True)
    # Registered schools outside the programme assessed in this round as its comparison group.
    comparison_school_ids = fields.List(Ref(), load_default=list,
                                        validate=validate.Length(max=10_000))

    @validates_schema
    def endline_names_its_baseline(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("phase") == "endline" and not data.get("baseline_round_id"):
            raise ValidationError("An endline round names its baseline round.",
                                  "baseline_round_id")
        if data.get("phase") == "baseline" and data.get("baseline_round_id"):
            raise ValidationError("Only an endline round has a baseline.", "baseline_round_id")
        if "grades" in data and len(set(data["grades"])) != len(data["grades"]):
            raise ValidationError("Must not repeat a grade.", "grades")
        schools = data.get("comparison_school_ids", [])
        if len(set(schools)) != len(schools):
            raise ValidationError("Must not repeat a school.", "comparison_school_ids")


class CloseRound(Command):
    round_id = Ref(required=True)
    closed_on = fields.Date(required=True)


class ScoreRow(Command):
    """One score as a caller or a CSV row gives it; numbers may arrive as text."""

    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    pupil_id = Ref(required=True)  # the e-journal's id; hashed before anything is stored
    grade = fields.Integer(required=True, validate=GRADES)
    subject = Ref(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=0))

    @pre_load
    def trim(self, row: Any, **_: Any) -> Any:
        if isinstance(row, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in row.items()
                    if v != ""}
        return row


class RecordScores(Command):
    round_id = Ref(required=True)
    school_id = Ref(required=True)
    scores = fields.List(fields.Dict(), required=True,
                         validate=validate.Length(min=1, max=MAX_SCORES_PER_CALL))


class CorrectScore(Command):
    round_id = Ref(required=True)
    school_id = Ref(required=True)
    grade = fields.Integer(required=True, strict=True, validate=GRADES)
    pupil_id = Ref(required=True)
    subject = Ref(required=True)
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    reason = Text(max_length=500, required=True)


class RoundQuery(Command):
    round_id = Ref(required=True)


class RoundView(Schema):
    id = fields.UUID()
    round_id = fields.String()
    programme_id = fields.String()
    school_year = fields.String()
    phase = fields.String()
    grades = fields.List(fields.Integer())
    subjects = fields.Dict()
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    baseline_round_id = fields.String(allow_none=True)
    comparison_school_ids = fields.List(fields.String())


class PupilQuery(Command):
    pupil_id = Ref(required=True)
