"""Training aggregates on their own: no infrastructure."""

from datetime import date
from decimal import Decimal

import pytest

from services.training.domain import Course, Enrolment, Practice, QualificationRecord, Trainer
from shared.errors import Conflict, DomainRuleViolated


def a_course(**overrides):
    details = dict(programme_id="baquatty", code="ONL-1", title="Formative assessment",
                   subject="pedagogy", format="online", audience="teacher",
                   planned_hours=Decimal(24), completion_hours=Decimal(20), provider="ESEN")
    details.update(overrides)
    return Course(**details)


def an_enrolment(course=None):
    course = course or a_course()
    return Enrolment(course_id=course.id, programme_id=course.programme_id,
                     participant_id="T-0001", school_id="S-001", role="teacher",
                     management_team_id=None, enrolled_on=date(2024, 9, 2))


def test_course_identity_comes_from_its_natural_key():
    assert a_course().id == a_course(title="Another title").id
    assert a_course().id != a_course(code="ONL-2").id


def test_completes_once_attended_hours_meet_the_rule():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(12))
    enrolment.record_attendance("s2", date(2024, 9, 10), Decimal(8))
    enrolment.complete(date(2024, 10, 1), Decimal(20))
    assert enrolment.status == "completed"
    assert enrolment.attended_hours == Decimal(20)


def test_rejects_completion_below_required_hours():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(6))
    with pytest.raises(DomainRuleViolated, match="attended 6 hours of the 20"):
        enrolment.complete(date(2024, 10, 1), Decimal(20))
    assert enrolment.status == "enrolled"


def test_rejects_completing_a_dropped_enrolment():
    enrolment = an_enrolment()
    enrolment.drop(date(2024, 9, 20), "moved to another district")
    with pytest.raises(DomainRuleViolated, match="dropped"):
        enrolment.complete(date(2024, 10, 1), Decimal(0))


def test_recording_the_same_session_twice_changes_nothing():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(4))
    enrolment.collect_events()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(4))
    assert enrolment.collect_events() == []
    assert enrolment.attended_hours == Decimal(4)


def test_rejects_the_same_session_with_other_hours():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(4))
    with pytest.raises(Conflict, match="already recorded with 4 hours"):
        enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(5))


def test_rejects_attendance_before_enrolment():
    with pytest.raises(DomainRuleViolated, match="before enrolment"):
        an_enrolment().record_attendance("s0", date(2024, 8, 1), Decimal(2))


def test_rejects_completion_dated_before_enrolment_naming_the_field():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(20))
    with pytest.raises(DomainRuleViolated, match="before enrolment") as refused:
        enrolment.complete(date(2024, 8, 30), Decimal(20))
    assert "completed_on" in refused.value.errors
    assert enrolment.status == "enrolled"


def test_rejects_completion_dated_before_the_last_attended_session():
    enrolment = an_enrolment()
    enrolment.record_attendance("s1", date(2024, 9, 3), Decimal(12))
    enrolment.record_attendance("s2", date(2024, 9, 24), Decimal(8))
    with pytest.raises(DomainRuleViolated, match="last attended session") as refused:
        enrolment.complete(date(2024, 9, 20), Decimal(20))
    assert "completed_on" in refused.value.errors


def test_rejects_dropping_out_dated_before_enrolment_naming_the_field():
    with pytest.raises(DomainRuleViolated, match="before enrolment") as refused:
        an_enrolment().drop(date(2024, 6, 1), "moved away")
    assert "dropped_on" in refused.value.errors


def test_trainer_leads_only_certified_subjects_of_their_programme():
    trainer = Trainer(person_id="TR-1", programme_id="baquatty", school_id="S-001",
                      subjects=["pedagogy"], certified_on=date(2024, 6, 1))
    trainer.check_can_lead(a_course())
    with pytest.raises(DomainRuleViolated, match="not certified for subject"):
        trainer.check_can_lead(a_course(subject="robotics"))
    with pytest.raises(DomainRuleViolated, match="certified for programme"):
        trainer.check_can_lead(a_course(programme_id="uralsk"))


def test_category_history_is_kept_and_ordered():
    record = QualificationRecord(teacher_id="T-0001")
    record.attest("педагог", date(2023, 5, 1), "S-001", "baquatty")
    record.attest("педагог-модератор", date(2024, 5, 1), "S-001", "baquatty")
    assert record.category == "педагог-модератор"
    assert len(record.attestations) == 2
    with pytest.raises(DomainRuleViolated, match="earlier than the latest"):
        record.attest("педагог-эксперт", date(2024, 1, 1), "S-001", "baquatty")


def test_a_school_cannot_adopt_its_own_practice_and_adopts_once():
    practice = Practice(programme_id="kyzylorda", school_id="S-010", code="P-1",
                        direction="inclusive education", title="Peer tutoring",
                        published_on=date(2024, 2, 1))
    with pytest.raises(DomainRuleViolated, match="own practice"):
        practice.adopt("S-010", date(2024, 3, 1))
    practice.adopt("S-020", date(2024, 3, 1))
    practice.adopt("S-020", date(2024, 3, 5))
    assert practice.adopters == {"S-020": date(2024, 3, 1)}
