"""A second small stream, made by the services' real Applications like stream.py, whose facts
arrive in an order that tests the figures' definitions: teachers whose category names no
programme or another one, and units (a teacher, a team, a school, a pupil) whose fact
recorded first is not their earliest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.assessment.app import AssessmentApplication
from services.assessment.contracts import CONTRACTS as ASSESSMENT
from services.assessment.pseudonyms import Pseudonymiser
from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS as REGISTRY
from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS as TRAINING
from shared.contracts.envelope import Envelope
from tests.reporting.stream import P, envelopes_of, registry_events, sqlite

OTHER = "another-programme"  # known to training only: a category attested under it
PUPILS = 60  # one score sheet's pupils: many units behind one event


def _course(app: TrainingApplication, code: str, audience: str):
    return app.schedule_course(programme_id=P, code=code, title=code, subject="digital",
                               format="online", audience=audience,
                               planned_hours=Decimal(10), completion_hours=Decimal(10),
                               provider="ESEN")


def _trained(app, course, person, role, team, enrolled_on, completed_on) -> None:
    enrolment = app.enrol(course.id, person, "S0", role, team, enrolled_on)
    app.record_attendance(enrolment.id, "w1", enrolled_on, Decimal(10))
    app.complete(enrolment.id, completed_on)


def training_events(app: TrainingApplication) -> None:
    app.record_programme_launched(P)
    app.record_programme_launched(OTHER)
    for programme, school in ((P, "S0"), (P, "S1"), (OTHER, "S0")):
        app.record_school_joined(programme, school)
    first, second = _course(app, "C1", "teacher"), _course(app, "C2", "teacher")
    leaders = _course(app, "M1", "manager")
    # T0's later course is recorded first: trained (and the programme's) from 2023-09.
    _trained(app, second, "T0", "teacher", None, date(2023, 11, 1), date(2023, 12, 1))
    _trained(app, first, "T0", "teacher", None, date(2023, 9, 1), date(2023, 10, 1))
    _trained(app, first, "T1", "teacher", None, date(2024, 1, 10), date(2024, 1, 20))
    _trained(app, first, "T8", "teacher", None, date(2024, 1, 10), date(2024, 1, 20))
    # One team, its second manager's earlier completion recorded last: trained in 2024-02.
    _trained(app, leaders, "M1", "manager", "TEAM-A", date(2024, 1, 5), date(2024, 3, 1))
    _trained(app, leaders, "M2", "manager", "TEAM-A", date(2024, 1, 5), date(2024, 2, 1))
    # Categories: T0's names no programme (held before its course), T8's another
    # programme; T9 is the programme's by its attestation alone; T5 is no one's here;
    # T7 was attested under the programme, then re-attested under another one.
    app.attest_category("T0", "педагог-модератор", date(2022, 5, 1), "S0", None)
    app.attest_category("T8", "педагог", date(2024, 3, 1), "S0", OTHER)
    app.attest_category("T9", "педагог", date(2023, 12, 1), "S0", P)
    app.attest_category("T5", "педагог", date(2023, 12, 1), "S0", None)
    app.attest_category("T7", "педагог", date(2023, 11, 1), "S0", P)
    app.attest_category("T7", "педагог-эксперт", date(2024, 4, 1), "S0", OTHER)
    # S1 adopts two practices: the later adoption recorded first.
    practices = [app.publish_practice(programme_id=P, school_id="S0", code=code,
                                      direction="Экология", title=code,
                                      published_on=date(2023, 10, 2)) for code in ("A", "B")]
    app.adopt_practice(practices[0].id, "S1", date(2024, 3, 10))
    app.adopt_practice(practices[1].id, "S1", date(2024, 2, 14))


def assessment_events(app: AssessmentApplication) -> None:
    """The endline's sheet recorded before the baseline's: its pupils were first assessed
    when the baseline opened (2023-09)."""
    pseudonyms = Pseudonymiser("a-test-key-of-enough-length")
    app.record_school_joined(P, "S0")
    subjects = {"math": {"max_score": 40, "threshold": 20}}
    app.open_round("BASE", programme_id=P, school_year="2023-2024", phase="baseline",
                   grades=[6], subjects=subjects, opened_on=date(2023, 9, 15),
                   baseline_round_id=None, comparison_school_ids=[])
    app.open_round("END", programme_id=P, school_year="2023-2024", phase="endline",
                   grades=[6], subjects=subjects, opened_on=date(2024, 5, 6),
                   baseline_round_id="BASE", comparison_school_ids=[])
    for round_id in ("END", "BASE"):
        app.record_scores(round_id, "S0", [
            {"row": n, "pupil_ref": pseudonyms.reference(f"P-{n}"), "grade": 6,
             "subject": "math", "score": 10 + n % 20} for n in range(PUPILS)])


def figure_stream(tmp_path) -> list[Envelope]:
    registry = sqlite(RegistryApplication, tmp_path, "registry")
    registry_events(registry)
    training = sqlite(TrainingApplication, tmp_path, "training")
    training_events(training)
    assessment = sqlite(AssessmentApplication, tmp_path, "assessment")
    assessment_events(assessment)
    out = [*envelopes_of(registry, REGISTRY), *envelopes_of(training, TRAINING),
           *envelopes_of(assessment, ASSESSMENT)]
    for app in (registry, training, assessment):
        app.close()
    return out
