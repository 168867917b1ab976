"""The training Application on SQLite and on PostgreSQL: same behaviour, both backends."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS
from services.training.domain import Enrolment
from services.training.tally import TrainingTally
from shared.config import event_store_env
from shared.errors import Conflict, DomainRuleViolated, NotFound
from tests.training.registry import learn

SCHOOLS = ["S-001", "S-002", "S-1"]
# The registry's facts each test's store starts with: the programme, and per school its
# join and that training knows the school (KnownSchool).
FACTS = 1 + 2 * len(SCHOOLS)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = TrainingApplication(env=event_store_env({"EVENT_STORE": store}))
    learn(application, "baquatty", SCHOOLS)
    yield application
    application.close()


def schedule(app, **overrides):
    details = dict(programme_id="baquatty", code="SEM-1", title="School leadership",
                   subject="management", format="seminar", audience="manager",
                   planned_hours=Decimal(16), completion_hours=Decimal(12), provider="AÑSA")
    details.update(overrides)
    return app.schedule_course(**details)


def enrol_manager(app, course, participant="M-001", team="TEAM-01"):
    return app.enrol(course_id=course.id, participant_id=participant, school_id="S-001",
                     role="manager", management_team_id=team, enrolled_on=date(2024, 9, 1))


def test_resending_a_schedule_stores_nothing_new(app):
    first = schedule(app)
    again = schedule(app)
    assert again.id == first.id
    assert app.last_notification_id() == FACTS + 1


def test_rejects_a_schedule_with_the_same_code_and_other_details(app):
    schedule(app)
    with pytest.raises(Conflict, match="exists with other details"):
        schedule(app, planned_hours=Decimal(20))
    assert app.last_notification_id() == FACTS + 1


def test_enrolling_twice_identically_is_harmless_but_differently_is_refused(app):
    course = schedule(app)
    enrol_manager(app, course)
    enrol_manager(app, course)
    assert app.last_notification_id() == FACTS + 2
    with pytest.raises(Conflict, match="already enrolled"):
        enrol_manager(app, course, team="TEAM-02")
    assert app.last_notification_id() == FACTS + 2


def test_rejects_a_teacher_on_a_managers_course(app):
    course = schedule(app)
    with pytest.raises(DomainRuleViolated, match="for managers"):
        app.enrol(course_id=course.id, participant_id="T-1", school_id="S-1", role="teacher",
                  management_team_id=None, enrolled_on=date(2024, 9, 1))


def test_completion_follows_the_courses_rule_and_is_stored(app):
    course = schedule(app)
    enrolment = enrol_manager(app, course)
    app.record_attendance(enrolment.id, "day-1", date(2024, 9, 2), Decimal(8))
    with pytest.raises(DomainRuleViolated):
        app.complete(enrolment.id, date(2024, 9, 3))
    app.record_attendance(enrolment.id, "day-2", date(2024, 9, 3), Decimal(4))
    app.complete(enrolment.id, date(2024, 9, 4))
    reloaded = app.load(enrolment.id, Enrolment, "enrolment")
    assert (reloaded.status, reloaded.attended_hours) == ("completed", Decimal(12))


def test_a_known_course_is_not_read_again_to_enrol_or_complete(app, monkeypatch):
    course = schedule(app)
    enrolment = enrol_manager(app, course)
    app.record_attendance(enrolment.id, "day-1", date(2024, 9, 2), Decimal(12))
    read = []
    real_get = app.repository.get
    monkeypatch.setattr(app.repository, "get", lambda id_, *a, **k: (
        read.append(id_), real_get(id_, *a, **k))[1])
    second = enrol_manager(app, course, participant="M-002")
    app.complete(enrolment.id, date(2024, 10, 1))
    assert course.id not in read and second.programme_id == "baquatty"
    # A course that does not exist is still "not found", every time it is asked for.
    for _ in range(2):
        with pytest.raises(NotFound):
            app.course_facts(uuid4())


def test_unknown_aggregates_are_not_found(app):
    with pytest.raises(NotFound, match="enrolment"):
        app.complete(schedule(app).id, date(2024, 9, 4))


def test_only_a_certified_trainer_can_lead_a_course(app):
    course = schedule(app)
    with pytest.raises(NotFound, match="certified trainer"):
        app.assign_trainer(course.id, course.id)
    trainer = app.certify_trainer(person_id="TR-9", programme_id="baquatty",
                                  school_id="S-002", subjects=["management"],
                                  certified_on=date(2024, 6, 1))
    assert app.assign_trainer(course.id, trainer.id).trainer_id == str(trainer.id)


def test_every_stored_event_maps_to_a_valid_public_contract(app):
    course = schedule(app)
    enrolment = enrol_manager(app, course)
    app.record_attendance(enrolment.id, "d1", date(2024, 9, 2), Decimal(12))
    app.complete(enrolment.id, date(2024, 9, 4))
    app.attest_category(teacher_id="M-001", category="педагог-эксперт",
                        attested_on=date(2024, 9, 5), school_id="S-001", programme_id="baquatty")
    practice = app.publish_practice(programme_id="baquatty", school_id="S-001", code="P1",
                                    direction="leadership", title="Open lessons",
                                    published_on=date(2024, 9, 6))
    app.adopt_practice(practice.id, "S-002", date(2024, 9, 7))
    envelopes = [CONTRACTS.envelope(app, n) for n in app.select_after(0, 100)]
    public = [e for e in envelopes if e is not None]
    assert [e.type for e in public] == [
        "CourseScheduled", "ParticipantEnrolled", "AttendanceRecorded", "TrainingCompleted",
        "TeacherCategoryAttested", "PracticePublished", "PracticeAdopted"]
    assert [e.notificationid - FACTS for e in public] == [1, 2, 3, 4, 6, 7, 8]
    completed = public[3]
    assert completed.data["management_team_id"] == "TEAM-01"
    assert completed.subjectversion == 3


def test_tally_counts_distinct_people_and_teams(app):
    course = schedule(app)
    for n, team in enumerate(["TEAM-01", "TEAM-01", "TEAM-02"]):
        enrolment = enrol_manager(app, course, participant=f"M-{n}", team=team)
        app.record_attendance(enrolment.id, "d1", date(2024, 9, 2), Decimal(12))
        app.complete(enrolment.id, date(2024, 9, 3))
    tally = TrainingTally(app, page=2)
    figures = tally.figures("baquatty")
    assert (figures["managers_trained"], figures["management_teams_trained"]) == (3, 2)
    enrol_manager(app, course, participant="M-9", team="TEAM-03")
    assert tally.figures("baquatty")["management_teams_enrolled"] == 3


def row(n, participant, **changes):
    base = dict(row=n, participant_id=participant, school_id="S-001", role="manager",
                management_team_id="TEAM-01", enrolled_on=date(2024, 9, 1),
                sessions=[dict(session_id="s1", attended_on=date(2024, 9, 10),
                               hours=Decimal(12))],
                completed_on=date(2024, 9, 20), dropped_on=None, drop_reason=None)
    return {**base, **changes}


def test_records_a_courses_participants_in_bulk_and_rejects_rows_that_break_a_rule(app):
    course = schedule(app)
    before = app.last_notification_id()
    report = app.record_training(course.id, [
        row(2, "M-001"),
        row(3, "M-002", completed_on=None, dropped_on=date(2024, 9, 12),
            drop_reason="moved away"),
        row(4, "M-003", completed_on=date(2024, 8, 1)),                     # before enrolment
        row(5, "M-004", sessions=[dict(session_id="s1", attended_on=date(2024, 9, 10),
                                       hours=Decimal(4))]),                  # too few hours
        row(6, "M-001"),                                                     # twice
        row(7, "T-001", role="teacher", management_team_id=None)])          # wrong audience
    assert [(line["row"], line["outcome"]) for line in report] == [
        (2, "recorded"), (3, "recorded"), (4, "rejected"), (5, "rejected"), (6, "rejected"),
        (7, "rejected")]
    errors = {line["row"]: line["errors"] for line in report if "errors" in line}
    assert set(errors[4]) == {"completed_on"} and set(errors[6]) == {"participant_id"}
    assert set(errors[7]) == {"role"} and errors[5]
    # Rows 2 and 3 only: enrolled + attended + completed, enrolled + attended + dropped.
    assert app.last_notification_id() == before + 6
    summary = TrainingTally(app).figures("baquatty")
    assert (summary["managers_trained"], summary["enrolments_dropped"]) == (1, 1)


def test_the_same_bulk_rows_again_store_nothing(app):
    course = schedule(app)
    rows = [row(2, "M-001"), row(3, "M-002", management_team_id="TEAM-02")]
    assert {line["outcome"] for line in app.record_training(course.id, rows)} == {"recorded"}
    before = app.last_notification_id()
    assert {line["outcome"] for line in app.record_training(course.id, rows)} == {"unchanged"}
    assert app.last_notification_id() == before
