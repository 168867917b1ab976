"""Which internal training events become which public contracts, field by field."""

from __future__ import annotations

from typing import Any

from services.training.domain import Course, Enrolment, Practice, QualificationRecord, Trainer
from services.training.registry_facts import KnownSchool, ProgrammeSchool, RegistryProgramme
from shared.contracts import training as v1
from shared.contracts.mapping import INTERNAL, ContractMap, Publish


def _enrolment(event: Any, **extra: Any) -> dict[str, Any]:
    return {"enrolment_id": event.originator_id, **event.keys, **extra}


CONTRACTS = ContractMap("training", {
    Course.Scheduled: Publish(v1.CourseScheduledV1, lambda e: {
        "course_id": e.originator_id, "programme_id": e.programme_id, "code": e.code,
        "title": e.title, "subject": e.subject, "format": e.format, "audience": e.audience,
        "planned_hours": e.planned_hours, "completion_hours": e.completion_hours,
        "provider": e.provider}),
    Course.TrainerAssigned: Publish(v1.TrainerAssignedV1, lambda e: {
        "course_id": e.originator_id, "programme_id": e.programme_id, "code": e.code,
        "trainer_id": e.trainer_id}),
    Enrolment.Enrolled: Publish(v1.ParticipantEnrolledV1, lambda e: {
        "enrolment_id": e.originator_id, "course_id": e.course_id,
        "programme_id": e.programme_id, "participant_id": e.participant_id,
        "school_id": e.school_id, "role": e.role,
        "management_team_id": e.management_team_id, "enrolled_on": e.enrolled_on}),
    Enrolment.AttendanceRecorded: Publish(v1.AttendanceRecordedV1, lambda e: _enrolment(
        e, session_id=e.session_id, attended_on=e.attended_on, hours=e.hours)),
    Enrolment.Completed: Publish(v1.TrainingCompletedV1, lambda e: _enrolment(
        e, completed_on=e.completed_on, attended_hours=e.attended_hours)),
    Enrolment.Dropped: Publish(v1.TrainingDroppedV1, lambda e: _enrolment(
        e, dropped_on=e.dropped_on, reason=e.reason)),
    Trainer.Certified: Publish(v1.TrainerCertifiedV1, lambda e: {
        "trainer_id": e.originator_id, "person_id": e.person_id,
        "programme_id": e.programme_id, "school_id": e.school_id, "subjects": e.subjects,
        "certified_on": e.certified_on}),
    # Opening a qualification record is bookkeeping; the attestation is the fact.
    QualificationRecord.Opened: INTERNAL,
    QualificationRecord.CategoryAttested: Publish(v1.TeacherCategoryAttestedV1, lambda e: {
        "teacher_id": e.teacher_id, "school_id": e.school_id,
        "programme_id": e.programme_id, "category": e.category,
        "attested_on": e.attested_on}),
    Practice.Published: Publish(v1.PracticePublishedV1, lambda e: {
        "practice_id": e.originator_id, "programme_id": e.programme_id,
        "school_id": e.school_id, "code": e.code, "direction": e.direction,
        "title": e.title, "published_on": e.published_on}),
    Practice.Adopted: Publish(v1.PracticeAdoptedV1, lambda e: {
        "practice_id": e.originator_id, "programme_id": e.programme_id,
        "direction": e.direction, "school_id": e.school_id, "adopted_on": e.adopted_on}),
    # The registry publishes programmes and their schools; these are training's own copy.
    RegistryProgramme.Launched: INTERNAL,
    ProgrammeSchool.Joined: INTERNAL,
    KnownSchool.Learnt: INTERNAL,
})
