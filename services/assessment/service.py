"""The assessment service's nameko adapter. External pupil ids are turned into keyed hashes
here, at the edge, before validation results, the application or any log see them."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from services.assessment import schemas as s
from services.assessment.app import AssessmentApplication
from services.assessment.contracts import CONTRACTS
from services.assessment.pseudonyms import Pseudonymiser
from services.assessment.tally import AssessmentTally
from shared.access.caller import scope
from shared.broker import subscribe
from shared.bulk import bulk_reply
from shared.commands import command
from shared.dead_letters import DeadLetterRpc
from shared.errors import InvalidInput
from shared.eventstore import EventStore
from shared.fields import Ref
from shared.follow import SourceLog, catch_up_timer
from shared.reading import EnvelopeReader
from shared.service import EventSourcedService
from shared.validation import load

# The programme a score records for, checked against a caller's grant.
OF_ROUND = scope("round_id", lambda svc, round_id: svc.app.round(round_id).programme_id)


class ProgrammeRoundsQuery(s.Command):
    """Which programme's rounds."""

    programme_id = Ref(required=True)


class Pseudonyms(DependencyProvider):
    """The deployment's pupil pseudonymiser; the key comes from config (PSEUDONYM_KEY), which
    takes it from a Secret in production. A missing or short key stops the service at start."""

    def setup(self) -> None:
        self.pseudonymiser = Pseudonymiser(str(self.container.config.get("PSEUDONYM_KEY", "")))

    def get_dependency(self, worker_ctx: Any) -> Pseudonymiser:
        return self.pseudonymiser


class AssessmentService(EventSourcedService, DeadLetterRpc):
    """Assessment rounds and pupils' scores, in bulk, pseudonymous by design."""

    name = "assessment"
    store = EventStore(AssessmentApplication, CONTRACTS, fold=AssessmentTally)
    pseudonyms = Pseudonyms()
    registry_log = SourceLog("registry")
    reader = EnvelopeReader()  # the registry's events at the versions this deployment reads

    @property
    def app(self) -> AssessmentApplication:
        return self.store.app  # type: ignore[return-value]

    # ------------------------------------------------------------ registry events
    @subscribe("registry", "OrganisationJoinedProgramme")
    def on_joined_programme(self, message: dict[str, Any]) -> None:
        self._apply(message)

    def _apply(self, message: dict[str, Any]) -> None:
        # Unreadable (raised here) goes to the dead letters at once; see shared/poison.py.
        # TooNew waits for this consumer's upgrade (shared/reading.py).
        envelope = self.reader.read(message)
        self.app.record_school_joined(envelope.data["programme_id"],
                                      envelope.data["organisation_id"])

    @catch_up_timer
    def follow_registry(self) -> None:
        """On start and every CATCH_UP.interval: what the queue missed, from the log."""
        self.registry_log.tick()

    @command
    def catch_up_registry(self, **payload: Any) -> dict[str, Any]:
        """Learn programmes' schools from the registry's log past assessment's watermark
        now (as the periodic catch-up does); idempotent. Reply: {"read", "applied",
        "after", "last_notification_id"}"""
        load(s.Command(), payload)
        return self.registry_log.follow()

    # ------------------------------------------------------------ commands
    @command
    def open_round(self, **payload: Any) -> dict[str, Any]:
        """Open a baseline or endline round: programme, school year, grades, subjects with
        their maximum score and proficiency threshold."""
        return s.RoundView().dump(self.app.open_round(**load(s.OpenRound(), payload)))

    @command
    def close_round(self, **payload: Any) -> dict[str, Any]:
        """Close a round: no more scores; corrections with a reason remain possible."""
        return s.RoundView().dump(self.app.close_round(**load(s.CloseRound(), payload)))

    @command(programme=OF_ROUND)
    def record_scores(self, **payload: Any) -> dict[str, Any]:
        """Record up to 5,000 scores of one school in one call, stored in one transaction.

        Each score: {"row": 2, "pupil_id": "...", "grade": 6, "subject": "math", "score": 31}.
        Reply: {"counts": {"recorded": 1999, "rejected": 1}, "rejected": [{"row": 3,
        "outcome": "rejected", "errors": {"score": ["Above the maximum of 40 for math."]}}]}
        (only rejected rows are listed: a 5,000-row reply would cost more than the work).
        Sending the same scores again records nothing ("unchanged").
        """
        batch = load(s.RecordScores(), payload)
        schema = s.ScoreRow()  # one instance per call: building a schema costs more than a row
        report, entries = [], []
        for position, raw in enumerate(batch["scores"], start=1):
            row = raw.get("row", position) if isinstance(raw, dict) else position
            try:
                score = load(schema, {"row": position, **raw} if isinstance(raw, dict) else raw)
            except InvalidInput as exc:
                report.append({"row": row, "outcome": "rejected", "errors": exc.errors})
                continue
            entries.append({"row": score["row"], "grade": score["grade"],
                            "subject": score["subject"], "score": score["score"],
                            "pupil_ref": self.pseudonyms.reference(score.pop("pupil_id"))})
        if entries:
            if not self.app.takes_scores_of(batch["round_id"], batch["school_id"]):
                # Joined a moment ago? One catch-up from the registry's log, as training
                # does (docs/contracts.md, "Not known yet"); still unknown, rows rejected.
                self.registry_log.follow_on_miss()
            report += self.app.record_scores(batch["round_id"], batch["school_id"], entries)
        return bulk_reply("assessment", "score", report)

    @command(programme=OF_ROUND)
    def correct_score(self, **payload: Any) -> dict[str, Any]:
        """Correct one recorded score (also after the round closed), with the reason."""
        data = load(s.CorrectScore(), payload)
        data["pupil_ref"] = self.pseudonyms.reference(data.pop("pupil_id"))
        sheet = self.app.correct_score(**data)
        return {"round_id": sheet.round_id, "school_id": sheet.school_id,
                "grade": sheet.grade, "pupil_ref": data["pupil_ref"],
                "subject": data["subject"], "score": data["score"]}

    @command
    def pupil_reference(self, **payload: Any) -> dict[str, str]:
        """The pseudonymous reference of an external pupil id (for matching; not reversible)."""
        data = load(s.PupilQuery(), payload)
        return {"pupil_ref": self.pseudonyms.reference(data["pupil_id"])}

    # ------------------------------------------------------------ queries
    @command
    def get_round(self, **payload: Any) -> dict[str, Any]:
        return s.RoundView().dump(self.app.round(load(s.RoundQuery(), payload)["round_id"]))

    @command
    def round_summary(self, **payload: Any) -> dict[str, Any]:
        """Scores, means and share at or above the threshold per grade and subject."""
        round_id = load(s.RoundQuery(), payload)["round_id"]
        self.app.round(round_id)  # NotFound for an unknown round
        return self.store.fold.summary(round_id)  # type: ignore[no-any-return]

    @command
    def list_rounds(self, **payload: Any) -> dict[str, Any]:
        """A programme's rounds by round id, for filling a scores import (`baqylau list
        rounds`): {"programme_id": "aktobe"} -> {"programme_id": ..., "rounds": [the rounds'
        views]}; none for a programme assessment has no round of (it does not keep
        programmes: ask the registry whether one exists)."""
        programme_id = load(ProgrammeRoundsQuery(), payload)["programme_id"]
        return {"programme_id": programme_id,
                "rounds": s.RoundView(many=True).dump(self.app.rounds_of(programme_id))}
