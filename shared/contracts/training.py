"""Public contracts of the training service, version 1.

Ids of other contexts (programme, school) are the registry's ids as strings; people are
pseudonymous ids given by the caller (never names). Hours are decimal strings.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.registry import REGISTRY

FORMATS = ["online", "seminar", "blended"]
ROLES = ["teacher", "manager"]


class _Strict(Schema):
    class Meta:
        ordered = True


class _EnrolmentKeys(_Strict):
    enrolment_id = fields.UUID(required=True)
    course_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    school_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    management_team_id = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("CourseScheduled", 1)
class CourseScheduledV1(_Strict):
    course_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    subject = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    audience = fields.String(required=True, validate=validate.OneOf(ROLES))
    planned_hours = fields.Decimal(required=True, as_string=True)
    completion_hours = fields.Decimal(required=True, as_string=True)
    provider = fields.String(required=True)


@REGISTRY.contract("TrainerAssigned", 1)
class TrainerAssignedV1(_Strict):
    course_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    code = fields.String(required=True)
    trainer_id = fields.UUID(required=True)


@REGISTRY.contract("ParticipantEnrolled", 1)
class ParticipantEnrolledV1(_EnrolmentKeys):
    enrolled_on = fields.Date(required=True)


@REGISTRY.contract("AttendanceRecorded", 1)
class AttendanceRecordedV1(_EnrolmentKeys):
    session_id = fields.String(required=True)
    attended_on = fields.Date(required=True)
    hours = fields.Decimal(required=True, as_string=True)


@REGISTRY.contract("TrainingCompleted", 1)
class TrainingCompletedV1(_EnrolmentKeys):
    completed_on = fields.Date(required=True)
    attended_hours = fields.Decimal(required=True, as_string=True)


@REGISTRY.contract("TrainingDropped", 1)
class TrainingDroppedV1(_EnrolmentKeys):
    dropped_on = fields.Date(required=True)
    reason = fields.String(required=True)


@REGISTRY.contract("TrainerCertified", 1)
class TrainerCertifiedV1(_Strict):
    trainer_id = fields.UUID(required=True)
    person_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    school_id = fields.String(required=True)
    subjects = fields.List(fields.String(), required=True)
    certified_on = fields.Date(required=True)


@REGISTRY.contract("TeacherCategoryAttested", 1)
class TeacherCategoryAttestedV1(_Strict):
    teacher_id = fields.String(required=True)
    school_id = fields.String(required=True)
    programme_id = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    attested_on = fields.Date(required=True)


@REGISTRY.contract("PracticePublished", 1)
class PracticePublishedV1(_Strict):
    practice_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    school_id = fields.String(required=True)
    code = fields.String(required=True)
    direction = fields.String(required=True)
    title = fields.String(required=True)
    published_on = fields.Date(required=True)


@REGISTRY.contract("PracticeAdopted", 1)
class PracticeAdoptedV1(_Strict):
    practice_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    direction = fields.String(required=True)
    school_id = fields.String(required=True)
    adopted_on = fields.Date(required=True)
