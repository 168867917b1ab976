"""The assessment Application: rounds, scores in bulk, corrections. Pupils arrive here
already pseudonymised (pupil_ref); the external id never reaches the event store."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.assessment.contracts import CONTRACTS
from services.assessment.domain import (
    AssessmentRound,
    ProgrammeSchool,
    ScoreSheet,
    check_within_school_year,
)
from shared.application import ServiceApplication, retry_on_conflict
from shared.errors import DomainRuleViolated, NotFound

# A sheet is snapshotted every so many events, so loading a corrected sheet stays cheap.
SNAPSHOT_EVERY = 20


class AssessmentApplication(ServiceApplication):
    name = "assessment"
    contracts = CONTRACTS
    snapshotting_intervals = {ScoreSheet: SNAPSHOT_EVERY}

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._rounds_by_programme: dict[str, set[UUID]] = {}
        self._rounds_read_to = 0  # the last Opened event's notification id taken in
        self._rounds_lock = threading.Lock()

    # ------------------------------------------------------------ registry facts
    @retry_on_conflict()
    def record_school_joined(self, programme_id: str, school_id: str) -> None:
        if self.find(ProgrammeSchool.create_id(programme_id, school_id),
                     ProgrammeSchool) is None:
            self.save(ProgrammeSchool(programme_id=programme_id, school_id=school_id))

    # ------------------------------------------------------------ rounds
    @retry_on_conflict()
    def open_round(self, round_id: str, **details: Any) -> AssessmentRound:
        details["comparison_school_ids"] = sorted(details.get("comparison_school_ids") or [])
        existing = self.find(AssessmentRound.create_id(round_id), AssessmentRound)
        if existing is not None:
            existing.check_same(**details)
            return existing
        check_within_school_year(details["school_year"], details["opened_on"], "opened_on")
        baseline_id = details["baseline_round_id"]
        if baseline_id is not None:
            baseline = self.round(baseline_id)
            if baseline.phase != "baseline" or baseline.programme_id != details["programme_id"]:
                raise DomainRuleViolated(
                    f"round {baseline_id} is not a baseline of programme "
                    f"{details['programme_id']}",
                    {"baseline_round_id": ["Not a matching baseline."]})
            if details["opened_on"] < baseline.opened_on:
                raise DomainRuleViolated(
                    f"endline {round_id} would open before its baseline {baseline_id}",
                    {"opened_on": [f"Must be on or after the baseline's {baseline.opened_on}."]})
        self._check_comparison_outside(details["programme_id"],
                                       details["comparison_school_ids"])
        assessment_round = AssessmentRound(round_id=round_id, **details)
        self.save(assessment_round)
        return assessment_round

    def _check_comparison_outside(self, programme_id: str, school_ids: list[str]) -> None:
        """A comparison school must not take part in the programme: it would be counted on
        both sides of the difference in differences."""
        inside = [s for s in school_ids if self._in_programme(programme_id, s)]
        if inside:
            raise DomainRuleViolated(
                f"comparison schools take part in programme {programme_id}: {', '.join(inside)}",
                {"comparison_school_ids": [f"Schools of the programme: {', '.join(inside)}."]})

    def round(self, round_id: str) -> AssessmentRound:
        return self.load_by_key(AssessmentRound, "round", round_id)

    def rounds_of(self, programme_id: str) -> list[AssessmentRound]:
        """The programme's rounds, by round id (none for a programme without any)."""
        with self._rounds_lock:
            self._take_in_opened_rounds()
            ids = sorted(self._rounds_by_programme.get(programme_id, ()))
        return sorted((self.load(id_, AssessmentRound, "round") for id_ in ids),
                      key=lambda r: r.round_id)

    def _take_in_opened_rounds(self) -> None:
        """Only the log's Opened events since the last call (the topic filtered in the
        database): the score sheets around them are never read."""
        topic = get_topic(AssessmentRound.Opened)
        while batch := self.recorder.select_notifications(
                start=self._rounds_read_to, limit=1000, topics=[topic],
                inclusive_of_start=False):
            for notification in batch:
                opened = self.mapper.to_domain_event(notification)
                self._rounds_by_programme.setdefault(opened.programme_id, set()).add(
                    opened.originator_id)
            self._rounds_read_to = batch[-1].id

    @retry_on_conflict()
    def close_round(self, round_id: str, closed_on: date) -> AssessmentRound:
        assessment_round = self.round(round_id)
        assessment_round.close(closed_on)
        self.save(assessment_round)
        return assessment_round

    # ------------------------------------------------------------ scores
    @retry_on_conflict()
    def record_scores(self, round_id: str, school_id: str,
                      entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record a batch of scores for one school in few saves: one event per grade sheet,
        all sheets in one transaction. A closed round takes no new scores.
        Entries: {"row", "pupil_ref", "grade", "subject", "score"}. Returns one line per
        entry: recorded, unchanged or rejected (with errors).
        """
        assessment_round = self.round(round_id)
        if not self._takes_scores_of(assessment_round, school_id):
            reason = {"school_id": [f"Not a school of programme {assessment_round.programme_id}"
                                    " nor a comparison school of the round."]}
            return [_line(e, "rejected", reason) for e in entries]
        sheets: dict[int, ScoreSheet] = {}
        new: dict[int, dict[tuple[str, str], int]] = {}
        report = []
        for entry in entries:
            problem = assessment_round.problem_with(entry["grade"], entry["subject"],
                                                    entry["score"])
            if problem:
                report.append(_line(entry, "rejected", problem))
                continue
            sheet = sheets.get(entry["grade"]) or self._sheet(assessment_round, school_id,
                                                              entry["grade"])
            sheets[entry["grade"]] = sheet
            key = (entry["pupil_ref"], entry["subject"])
            before = new.setdefault(entry["grade"], {}).get(key, sheet.existing(*key))
            if before is None and assessment_round.closed_on is not None:
                # Re-sending what a closed round holds is harmless; adding to it is not.
                report.append(_line(entry, "rejected", {"round_id": [
                    f"The round closed on {assessment_round.closed_on}; only corrections."]}))
            elif before is None:
                new[entry["grade"]][key] = entry["score"]
                report.append(_line(entry, "recorded"))
            elif before == entry["score"]:
                report.append(_line(entry, "unchanged"))
            else:
                report.append(_line(entry, "rejected", {"score": [
                    f"Already recorded as {before}; correct it with a reason instead."]}))
        for grade, sheet in sheets.items():
            sheet.record([(ref, subject, score) for (ref, subject), score
                          in new.get(grade, {}).items()])
        self.save(*sheets.values())
        return report

    def takes_scores_of(self, round_id: str, school_id: str) -> bool:
        """A school of the round's programme, as far as assessment learnt, or one of its
        comparison schools. NotFound for a round that does not exist."""
        return self._takes_scores_of(self.round(round_id), school_id)

    def _takes_scores_of(self, assessment_round: AssessmentRound, school_id: str) -> bool:
        return (self._in_programme(assessment_round.programme_id, school_id)
                or assessment_round.compares(school_id))

    def _in_programme(self, programme_id: str, school_id: str) -> bool:
        return self.find(ProgrammeSchool.create_id(programme_id, school_id),
                         ProgrammeSchool) is not None

    def _sheet(self, assessment_round: AssessmentRound, school_id: str,
               grade: int) -> ScoreSheet:
        return (self.find(ScoreSheet.create_id(assessment_round.round_id, school_id, grade),
                          ScoreSheet)
                or ScoreSheet(round_id=assessment_round.round_id,
                              programme_id=assessment_round.programme_id,
                              school_id=school_id, grade=grade))

    @retry_on_conflict()
    def correct_score(self, round_id: str, school_id: str, grade: int, pupil_ref: str,
                      subject: str, score: int, reason: str) -> ScoreSheet:
        """Correct one recorded score, with the reason; allowed after the round closed."""
        assessment_round = self.round(round_id)
        problem = assessment_round.problem_with(grade, subject, score)
        if problem:
            raise DomainRuleViolated(f"the corrected score does not fit round {round_id}",
                                     problem)
        sheet = self.find(ScoreSheet.create_id(round_id, school_id, grade), ScoreSheet)
        if sheet is None:
            raise NotFound(f"no scores of school {school_id} in grade {grade} of {round_id}",
                           {"school_id": ["No score sheet."]})
        sheet.correct(pupil_ref, subject, score, reason)
        self.save(sheet)
        return sheet


def _line(entry: dict[str, Any], outcome: str,
          errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"row": entry["row"], "outcome": outcome}
    if errors:
        line["errors"] = errors
    return line
