"""Assessment aggregates: rounds, and per-school score sheets that stay small.

A sheet holds one school's scores for one grade in one round, so no aggregate grows with the
size of the country: a national round is many small sheets. Pupils appear only as keyed
hashes (see pseudonyms.py); nothing here ever sees an external pupil id.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import Conflict, DomainRuleViolated

NAMESPACE = uuid.UUID("c5e2a7d4-1f3b-4e8a-b6c0-9d4f2e7a1b05")
PHASES = ("baseline", "endline")


def natural_id(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join([kind, *map(str, parts)]))


def check_within_school_year(school_year: str, day: date, field: str) -> None:
    """A school year "2024-2025" runs, for assessment, from 1 August 2024 to 31 July 2025:
    the Kazakh year starts on 1 September, and a baseline may be taken in late August."""
    first = int(school_year[:4])
    start, end = date(first, 8, 1), date(first + 1, 7, 31)
    if not start <= day <= end:
        raise DomainRuleViolated(
            f"{day} is outside school year {school_year}",
            {field: [f"Must be within school year {school_year} ({start} .. {end})."]})


class AssessmentRound(Aggregate):
    """One measurement of pupils' achievement: which grades, which subjects, when."""

    @staticmethod
    def create_id(round_id: str, **_: object) -> uuid.UUID:
        return natural_id("round", round_id)

    @event("Opened")
    def __init__(self, round_id: str, programme_id: str, school_year: str, phase: str,
                 grades: list[int], subjects: dict[str, dict[str, int]], opened_on: date,
                 baseline_round_id: str | None,
                 comparison_school_ids: list[str] | None = None) -> None:
        self.round_id = round_id
        self.programme_id = programme_id
        self.school_year = school_year
        self.phase = phase
        self.grades = grades
        self.subjects = subjects  # code -> {"max_score": 40, "threshold": 20}
        self.opened_on = opened_on
        self.baseline_round_id = baseline_round_id
        # Schools outside the programme assessed alongside it, so that the evaluation has a
        # comparison group; rounds opened before this existed have none.
        self.comparison_school_ids = sorted(comparison_school_ids or [])
        self.closed_on: date | None = None

    def details(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "programme_id", "school_year", "phase", "grades", "subjects", "opened_on",
            "baseline_round_id", "comparison_school_ids")}

    def compares(self, school_id: str) -> bool:
        """Whether the round assesses this school as part of its comparison group."""
        return school_id in self.comparison_school_ids

    def check_same(self, **details: Any) -> None:
        differing = sorted(k for k, v in details.items() if self.details()[k] != v)
        if differing:
            raise Conflict(f"round {self.round_id} was opened with other details: "
                           f"{', '.join(differing)}", {k: ["Differs from the open round."]
                                                      for k in differing})

    def problem_with(self, grade: int, subject: str, score: int) -> dict[str, list[str]]:
        """Why a score does not fit this round, by field; empty if it fits."""
        if grade not in self.grades:
            return {"grade": [f"Grade {grade} is not assessed in this round ({self.grades})."]}
        if subject not in self.subjects:
            return {"subject": [f"Unknown subject; the round has {sorted(self.subjects)}."]}
        if score > self.subjects[subject]["max_score"]:
            return {"score": [f"Above the maximum of "
                              f"{self.subjects[subject]['max_score']} for {subject}."]}
        return {}

    def close(self, closed_on: date) -> None:
        if self.closed_on is not None:
            return
        if closed_on < self.opened_on:
            raise DomainRuleViolated("a round cannot close before it opened",
                                     {"closed_on": [f"Before {self.opened_on}."]})
        self._close(closed_on, self.programme_id, self.round_id)

    @event("Closed")
    def _close(self, closed_on: date, programme_id: str, round_id: str) -> None:
        self.closed_on = closed_on


class ScoreSheet(Aggregate):
    """One school's scores in one grade of one round: pupil reference -> subject -> score."""

    @staticmethod
    def create_id(round_id: str, school_id: str, grade: int, **_: object) -> uuid.UUID:
        return natural_id("sheet", round_id, school_id, grade)

    @event("Started")
    def __init__(self, round_id: str, programme_id: str, school_id: str, grade: int) -> None:
        self.round_id = round_id
        self.programme_id = programme_id
        self.school_id = school_id
        self.grade = grade
        self.scores: dict[str, dict[str, int]] = {}

    def keys(self) -> dict[str, Any]:
        return {"round_id": self.round_id, "programme_id": self.programme_id,
                "school_id": self.school_id, "grade": self.grade}

    def existing(self, pupil_ref: str, subject: str) -> int | None:
        return self.scores.get(pupil_ref, {}).get(subject)

    def record(self, scores: list[tuple[str, str, int]]) -> None:
        """Record new (pupil_ref, subject, score) triples in one event; the caller has
        already set aside the ones recorded before."""
        if scores:
            self._record([list(s) for s in scores], self.keys())

    @event("ScoresRecorded")
    def _record(self, scores: list[list[Any]], keys: dict[str, Any]) -> None:
        for pupil_ref, subject, score in scores:
            self.scores.setdefault(pupil_ref, {})[subject] = score

    def correct(self, pupil_ref: str, subject: str, score: int, reason: str) -> None:
        previous = self.existing(pupil_ref, subject)
        if previous is None:
            raise DomainRuleViolated("no score to correct for this pupil and subject",
                                     {"pupil_id": ["No score recorded in this sheet."]})
        if previous == score:
            return
        self._correct(pupil_ref, subject, previous, score, reason, self.keys())

    @event("ScoreCorrected")
    def _correct(self, pupil_ref: str, subject: str, previous: int, score: int, reason: str,
                 keys: dict[str, Any]) -> None:
        self.scores[pupil_ref][subject] = score


class ProgrammeSchool(Aggregate):
    """A school of a programme, as the registry announced it: a score for a school outside
    the programme is refused. One small aggregate per programme and school, so that a join
    is one insert and the check one lookup, whatever the programme's size."""

    @staticmethod
    def create_id(programme_id: str, school_id: str, **_: object) -> uuid.UUID:
        return natural_id("programme-school", programme_id, school_id)

    @event("Joined")
    def __init__(self, programme_id: str, school_id: str) -> None:
        self.programme_id = programme_id
        self.school_id = school_id


class ProgrammeSchools(Aggregate):
    """Superseded by ProgrammeSchool: one aggregate per programme listing its schools made
    every join replay the whole list (quadratic; the fault drill's 6,000-school programme
    stalled on it). Kept so that the events stores already hold stay readable."""

    @staticmethod
    def create_id(programme_id: str, **_: object) -> uuid.UUID:
        return natural_id("programme-schools", programme_id)

    @event("Opened")
    def __init__(self, programme_id: str) -> None:
        self.programme_id = programme_id
        self.schools: list[str] = []

    @event("SchoolAdded")
    def _add(self, school_id: str) -> None:
        self.schools.append(school_id)
