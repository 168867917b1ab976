"""Which internal assessment events become which public contracts, field by field."""

from __future__ import annotations

from services.assessment.domain import (
    AssessmentRound,
    ProgrammeSchool,
    ProgrammeSchools,
    ScoreSheet,
)
from shared.contracts import assessment_events as v1
from shared.contracts.mapping import INTERNAL, ContractMap, Publish

CONTRACTS = ContractMap("assessment", {
    AssessmentRound.Opened: Publish(v1.AssessmentRoundOpenedV2, lambda e: {
        "round_id": e.round_id, "programme_id": e.programme_id, "school_year": e.school_year,
        "phase": e.phase, "grades": e.grades, "subjects": e.subjects, "opened_on": e.opened_on,
        "baseline_round_id": e.baseline_round_id,
        "comparison_school_ids": sorted(getattr(e, "comparison_school_ids", None) or [])}),
    AssessmentRound.Closed: Publish(v1.AssessmentRoundClosedV1, lambda e: {
        "round_id": e.round_id,
        "programme_id": e.programme_id, "closed_on": e.closed_on}),
    # Starting a sheet is bookkeeping; its scores are the facts.
    ScoreSheet.Started: INTERNAL,
    ScoreSheet.ScoresRecorded: Publish(v1.ScoresRecordedV1, lambda e: {
        **e.keys, "scores": [{"pupil_ref": p, "subject": s, "score": v}
                             for p, s, v in e.scores]}),
    ScoreSheet.ScoreCorrected: Publish(v1.ScoreCorrectedV1, lambda e: {
        **e.keys, "pupil_ref": e.pupil_ref, "subject": e.subject,
        "previous_score": e.previous, "score": e.score, "reason": e.reason}),
    # The registry publishes which schools take part; this is assessment's own copy.
    ProgrammeSchool.Joined: INTERNAL,
    ProgrammeSchools.Opened: INTERNAL,  # superseded; in stores written before
    ProgrammeSchools.SchoolAdded: INTERNAL,
})
