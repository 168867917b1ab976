"""Public contracts of the assessment service, version 1.

Pupils are `pupil_ref`s: keyed hashes, the same for a pupil in every round of a deployment,
never an external id. Scores travel in batches (`ScoresRecorded`, one message per school,
grade and call) because a national round is millions of scores; each entry is one pupil's
score in one subject.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shared.contracts.registry import REGISTRY

PUPIL_REF = validate.Regexp(r"^p-[0-9a-f]{32}$", error="Must be a pupil reference.")


class _Strict(Schema):
    class Meta:
        ordered = True


class _Subject(_Strict):
    max_score = fields.Integer(required=True, strict=True)
    threshold = fields.Integer(required=True, strict=True)


@REGISTRY.contract("AssessmentRoundOpened", 1)
class AssessmentRoundOpenedV1(_Strict):
    round_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    school_year = fields.String(required=True)
    phase = fields.String(required=True, validate=validate.OneOf(["baseline", "endline"]))
    grades = fields.List(fields.Integer(strict=True), required=True)
    subjects = fields.Dict(keys=fields.String(), values=fields.Nested(_Subject), required=True)
    opened_on = fields.Date(required=True)
    baseline_round_id = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("AssessmentRoundOpened", 2)
class AssessmentRoundOpenedV2(AssessmentRoundOpenedV1):
    """Version 2: the schools outside the programme assessed in the round as its comparison
    group (registered schools that are not participants)."""

    comparison_school_ids = fields.List(fields.String(), required=True)


@REGISTRY.upcaster("AssessmentRoundOpened", 1)
def _round_opened_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "comparison_school_ids": []}  # before version 2 no round had any


@REGISTRY.contract("AssessmentRoundClosed", 1)
class AssessmentRoundClosedV1(_Strict):
    round_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    closed_on = fields.Date(required=True)


class _Sheet(_Strict):
    round_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    school_id = fields.String(required=True)
    grade = fields.Integer(required=True, strict=True)


class _Score(_Strict):
    pupil_ref = fields.String(required=True, validate=PUPIL_REF)
    subject = fields.String(required=True)
    score = fields.Integer(required=True, strict=True)


@REGISTRY.contract("ScoresRecorded", 1)
class ScoresRecordedV1(_Sheet):
    scores = fields.List(fields.Nested(_Score), required=True)


@REGISTRY.contract("ScoreCorrected", 1)
class ScoreCorrectedV1(_Sheet):
    pupil_ref = fields.String(required=True, validate=PUPIL_REF)
    subject = fields.String(required=True)
    previous_score = fields.Integer(required=True, strict=True)
    score = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True)
