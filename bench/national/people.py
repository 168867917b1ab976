"""The national year's people: teachers trained (training's store) and pupils scored at
baseline and endline (assessment's store), through each service's Application and domain.

- 350,000 teachers (at scale 1.0) of one national course: each enrolled and at one session;
  nine in ten at a second session and completed; every fifth with a category attested.
- 3.5 million pupils, pseudonymous references made by assessment's own Pseudonymiser, in
  grades 4-10 of their school, scored in three subjects in the baseline and the endline
  round: one ScoresRecorded event per school, grade and round (about 200 scores at 1.0).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable, Iterator

from eventsourcing.domain import Aggregate

from bench.national.data import (
    PER_SAVE,
    PROGRAMME,
    SCHOOL_YEAR,
    School,
    save_in_batches,
    store_env,
)
from services.assessment.app import AssessmentApplication
from services.assessment.domain import AssessmentRound, ScoreSheet
from services.assessment.domain import ProgrammeSchool as AssessedSchool
from services.assessment.pseudonyms import Pseudonymiser
from services.training.app import TrainingApplication
from services.training.domain import CATEGORIES, Course, Enrolment, QualificationRecord
from services.training.registry_facts import KnownSchool, ProgrammeSchool, RegistryProgramme

GRADES = [4, 5, 6, 7, 8, 9, 10]
SUBJECTS = {"math": {"max_score": 40, "threshold": 20},
            "kazakh_language": {"max_score": 40, "threshold": 20},
            "reading": {"max_score": 40, "threshold": 20}}
BASELINE, ENDLINE = "NAT-2024-BASELINE", "NAT-2024-ENDLINE"
SHEETS_PER_SAVE = 50  # about 10,000 scores in one transaction
COURSE = dict(programme_id=PROGRAMME, code="NAT-DIGITAL", title="Digital classroom",
              subject="digital_skills", format="blended", audience="teacher",
              planned_hours=Decimal(72), completion_hours=Decimal(72), provider="NCPD Orleu")


# ---------------------------------------------------------------- training
def fill_training(store: dict[str, Any], schools: list[School], teachers: int,
                  categorised: int) -> dict[str, Any]:
    """Returns the events saved and the course's id (the lag phase enrols into it)."""
    app = TrainingApplication(env=store_env(store))
    try:
        course = Course(**COURSE)
        events = save_in_batches(app, [RegistryProgramme(programme_id=PROGRAMME), course])
        events += save_in_batches(app, _registry_facts(schools))
        events += save_in_batches(app, teacher_enrolments(course.id, schools, 0, teachers))
        events += save_in_batches(app, _categories(schools, teachers, categorised))
        return {"events": events, "course_id": str(course.id)}
    finally:
        app.close()


def _registry_facts(schools: list[School]) -> Iterable[Aggregate]:
    """What training learns from the registry's joins (registry_facts.py)."""
    for s in schools:
        yield ProgrammeSchool(programme_id=PROGRAMME, school_id=s.organisation_id)
        yield KnownSchool(school_id=s.organisation_id)


def teacher_enrolments(course_id: Any, schools: list[School], first: int, count: int
                       ) -> Iterator[Enrolment]:
    """Teachers `first` .. `first + count` of the national course, spread over the schools;
    three in four of their events are attendance or completion."""
    for n in range(first, first + count):
        enrolled = date(2024, 9, 2) + timedelta(days=n % 90)
        enrolment = Enrolment(course_id=course_id, programme_id=PROGRAMME,
                              participant_id=f"NAT-T{n:07d}",
                              school_id=schools[n % len(schools)].organisation_id,
                              role="teacher", management_team_id=None, enrolled_on=enrolled)
        enrolment.record_attendance("week-1", enrolled + timedelta(weeks=1), Decimal(36))
        if n % 10:
            enrolment.record_attendance("week-2", enrolled + timedelta(weeks=2), Decimal(36))
            enrolment.complete(enrolled + timedelta(weeks=3), Decimal(72))
        yield enrolment


def _categories(schools: list[School], teachers: int, categorised: int
                ) -> Iterable[Aggregate]:
    step = max(1, teachers // max(1, categorised))
    for n in range(0, teachers, step)[:categorised]:
        record = QualificationRecord(teacher_id=f"NAT-T{n:07d}")
        record.attest(CATEGORIES[1 + n % 4], date(2025, 5, 15) + timedelta(days=n % 30),
                      schools[n % len(schools)].organisation_id, PROGRAMME)
        yield record


# ---------------------------------------------------------------- assessment
def fill_assessment(store: dict[str, Any], schools: list[School], key: str) -> dict[str, int]:
    """Returns the events and the score rows saved."""
    app = AssessmentApplication(env=store_env(store))
    try:
        rounds = [AssessmentRound(round_id=BASELINE, programme_id=PROGRAMME,
                                  school_year=SCHOOL_YEAR, phase="baseline", grades=GRADES,
                                  subjects=SUBJECTS, opened_on=date(2024, 9, 16),
                                  baseline_round_id=None),
                  AssessmentRound(round_id=ENDLINE, programme_id=PROGRAMME,
                                  school_year=SCHOOL_YEAR, phase="endline", grades=GRADES,
                                  subjects=SUBJECTS, opened_on=date(2025, 5, 12),
                                  baseline_round_id=BASELINE)]
        events = save_in_batches(app, rounds)
        events += save_in_batches(app, (AssessedSchool(programme_id=PROGRAMME,
                                                       school_id=s.organisation_id)
                                        for s in schools), PER_SAVE)
        rows = [0]
        events += save_in_batches(app, _sheets(schools, Pseudonymiser(key), rows),
                                  SHEETS_PER_SAVE)
        return {"events": events, "score_rows": rows[0]}
    finally:
        app.close()


def grade_sizes(pupils: int) -> list[int]:
    """A school's pupils over GRADES, the remainder in the lowest grades."""
    per, extra = divmod(pupils, len(GRADES))
    return [per + (1 if k < extra else 0) for k in range(len(GRADES))]


def _sheets(schools: list[School], pseudonyms: Pseudonymiser, rows: list[int]
            ) -> Iterator[ScoreSheet]:
    """Per school and grade: the baseline sheet, then the endline sheet, each one event of
    every pupil's three scores (a pupil keeps one reference in both rounds)."""
    for s in schools:
        for grade, size in zip(GRADES, grade_sizes(s.pupils), strict=True):
            if not size:
                continue
            refs = [pseudonyms.reference(f"{s.organisation_id}/{grade}/{k}")
                    for k in range(size)]
            for round_id, gain in ((BASELINE, 0), (ENDLINE, 3)):
                sheet = ScoreSheet(round_id=round_id, programme_id=PROGRAMME,
                                   school_id=s.organisation_id, grade=grade)
                sheet.record([(ref, subject, min(40, (k * 7 + j * 11 + grade) % 36 + gain))
                              for k, ref in enumerate(refs)
                              for j, subject in enumerate(SUBJECTS)])
                rows[0] += size * len(SUBJECTS)
                yield sheet
