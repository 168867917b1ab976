"""Traceability: the events behind a figure of a report.

The reconciliation's fold, recomputed from the services' own logs, remembers for every unit
it counts (a teacher trained, a school equipped, a pupil assessed, a tenge committed) the
event that made it count. The list of those events, each with the amount it contributes,
sums to the figure; reconciliation shows that the figure is the read model's."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from eventlet.semaphore import Semaphore
from marshmallow import ValidationError
from nameko.standalone.rpc import ClusterRpcProxy

from services.reporting.reconcile import Fold
from services.reporting.reports import SHARES
from shared.contracts import UnknownContract, parse_envelope
from shared.contracts.envelope import Envelope
from shared.follow import pages

log = logging.getLogger(__name__)

MONEY = ("committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt")


def _ref(e: Envelope, **fields_: Any) -> dict[str, Any]:
    return {"source": e.source, "notification_id": e.notificationid, "type": e.type,
            "time": e.time.isoformat(), "fields": fields_}


@dataclass
class Trace(Fold):
    """The fold, plus the event behind each unit it keeps."""

    completions: dict[str, Envelope] = field(default_factory=dict)  # enrolment -> event
    certified: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    attested: dict[str, Envelope] = field(default_factory=dict)
    teacher_enrolled: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    published: dict[str, Envelope] = field(default_factory=dict)
    adopted: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    joined: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    profile_events: dict[str, Envelope] = field(default_factory=dict)
    cabinet_events: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    first_scores: dict[tuple[str, str], Envelope] = field(default_factory=dict)  # round, pupil
    commitment_events: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    expenditure_events: dict[tuple[str, str], Envelope] = field(default_factory=dict)
    disbursement_events: dict[tuple[str, str, str], Envelope] = field(default_factory=dict)
    detailed: bool = False  # no outcome cells or drill-down detail: see Fold.detailed

    def apply(self, e: Envelope) -> None:  # noqa: C901 - one branch per contract reads best
        super().apply(e)
        d, t = e.data, e.type
        if t == "TrainingCompleted":
            self.completions.setdefault(d["enrolment_id"], e)
        if t in ("ParticipantEnrolled", "TrainingCompleted", "TrainingDropped") \
                and d["role"] == "teacher":
            self.teacher_enrolled.setdefault((d["programme_id"], d["participant_id"]), e)
        elif t == "TrainerCertified":
            self.certified[(d["programme_id"], d["person_id"])] = e
        elif t == "TeacherCategoryAttested":
            self.attested[d["teacher_id"]] = e
        elif t == "PracticePublished":
            self.published[d["practice_id"]] = e
        elif t == "PracticeAdopted":
            self.adopted[(d["practice_id"], d["school_id"])] = e
        elif t == "OrganisationJoinedProgramme":
            self.joined.setdefault((d["programme_id"], d["organisation_id"]), e)
        elif t in ("OrganisationRegistered", "OrganisationProfileUpdated"):
            if self.profiles[d["organisation_id"]][0] == d["school_year"]:
                self.profile_events[d["organisation_id"]] = e
        elif t.startswith("Cabinet"):
            self.cabinet_events[(d["cabinet_id"], t)] = e
        elif t == "ScoresRecorded":
            for score in d["scores"]:
                self.first_scores.setdefault((d["round_id"], score["pupil_ref"]), e)
        elif t == "FundingCommitted":
            # By programme and id: one programme's commitment never hides another's.
            self.commitment_events[(d["programme_id"], d["commitment_id"])] = e
        elif t == "ExpenditureRecorded":
            self.expenditure_events[(d["commitment_id"], d["reference"])] = e
        elif t == "FundsDisbursed":
            self.disbursement_events[(d["programme_id"], d["commitment_id"],
                                      d["reference"])] = e

    # ------------------------------------------------------------ the lists
    def entries(self, p: str, indicator: str) -> list[dict[str, Any]]:  # noqa: C901
        if indicator in ("teachers_trained", "managers_trained", "management_teams_trained"):
            return self._trained(p, indicator)
        if indicator == "trainers_certified":
            return [_ref(e, person_id=k[1]) | {"value": 1}
                    for k, e in self.certified.items() if k[0] == p]
        if indicator in SHARES:  # each event says which side of the fraction it counts on
            numerator, denominator = SHARES[indicator]
            return [line | {"part": part} for part, name in (("numerator", numerator),
                                                             ("denominator", denominator))
                    for line in self.entries(p, name)]
        if indicator == "teachers_with_category":
            return [_ref(e, teacher_id=k, category=e.data.get("category")) | {"value": 1}
                    for k, e in self.attested.items() if self.categories.get(k) == p]
        if indicator == "programme_teachers":  # first enrolment as a teacher, else attestation
            teachers = {t: e for (q, t), e in self.teacher_enrolled.items() if q == p}
            teachers |= {t: e for t, e in self.attested.items()
                         if self.categories.get(t) == p and t not in teachers}
            return [_ref(e, teacher_id=t) | {"value": 1} for t, e in teachers.items()]
        if indicator == "practices_published":
            return [_ref(e, practice_id=k) | {"value": 1}
                    for k, e in self.published.items() if self.practices[k] == p]
        if indicator == "practices_adopted":  # a school counts once: its first adoption
            first: dict[str, tuple[str, Envelope]] = {}
            for (practice, school), e in sorted(self.adopted.items(),
                                                key=lambda item: item[1].notificationid):
                if self.adoptions[(practice, school)] == p:
                    first.setdefault(school, (practice, e))
            return [_ref(e, practice_id=practice, school_id=school) | {"value": 1}
                    for school, (practice, e) in first.items()]
        if indicator == "organisations_reached":
            return [_ref(e, organisation_id=k[1]) | {"value": 1}
                    for k, e in self.joined.items() if k[0] == p]
        if indicator == "pupils_reached":
            return [_ref(self.profile_events[o], organisation_id=o,
                         school_year=self.profiles[o][0]) | {"value": self.profiles[o][1]}
                    for q, o in sorted(self.participants) if q == p and o in self.profiles]
        if indicator in ("cabinets_delivered", "cabinets_commissioned", "schools_equipped"):
            return self._cabinets(p, indicator)
        if indicator == "pupils_assessed":
            return self._assessed(p)
        if indicator in MONEY:
            return self._money(p, indicator)
        raise KeyError(indicator)

    def _trained(self, p: str, indicator: str) -> list[dict[str, Any]]:
        role = "teacher" if indicator == "teachers_trained" else "manager"
        key = "management_team_id" if indicator == "management_teams_trained" else \
            "participant_id"
        first: dict[str, Envelope] = {}
        for enrolment_id, e in self.completions.items():
            row = self.enrolments[enrolment_id]
            if row["programme_id"] == p and row["status"] == "completed" \
                    and row["role"] == role and row[key] not in first:
                first[row[key]] = e
        return [_ref(e, **{key: unit, "enrolment_id": str(e.data["enrolment_id"])})
                | {"value": 1} for unit, e in first.items()]

    def _cabinets(self, p: str, indicator: str) -> list[dict[str, Any]]:
        counted = {cid: c for cid, c in self.cabinets.items()
                   if c["programme_id"] == p and c["allocated"]}
        if indicator != "schools_equipped":
            step = "delivered" if indicator == "cabinets_delivered" else "commissioned"
            kind = "CabinetDelivered" if step == "delivered" else "CabinetCommissioned"
            return [_ref(self.cabinet_events[(cid, kind)], cabinet_id=cid,
                         organisation_id=c["organisation_id"]) | {"value": 1}
                    for cid, c in counted.items() if c[step]]
        by_school: dict[str, list[str]] = defaultdict(list)
        for cid, c in counted.items():
            by_school[c["organisation_id"]].append(cid)
        out = []
        for school, cabinet_ids in sorted(by_school.items()):
            if all(counted[cid]["commissioned"] for cid in cabinet_ids):
                last = max((self.cabinet_events[(cid, "CabinetCommissioned")]
                            for cid in cabinet_ids), key=lambda e: e.notificationid)
                out.append(_ref(last, organisation_id=school, cabinets=len(cabinet_ids))
                           | {"value": 1})
        return out

    def _assessed(self, p: str) -> list[dict[str, Any]]:
        first: dict[str, Envelope] = {}
        for (round_id, pupil), e in self.first_scores.items():
            if self.rounds.get(round_id) == p:
                first.setdefault(pupil, e)
        return [_ref(e, pupil_ref=pupil, school_id=e.data["school_id"], grade=e.data["grade"])
                | {"value": 1} for pupil, e in first.items()]

    def _money(self, p: str, indicator: str) -> list[dict[str, Any]]:
        if indicator == "committed_kzt":
            return [_ref(e, commitment_id=k, funder_id=e.data["funder_id"])
                    | {"value": e.data["amount_kzt"]}
                    for (q, k), e in self.commitment_events.items() if q == p]
        if indicator == "disbursed_kzt":
            return [_ref(e, commitment_id=cid, reference=ref) | {"value": e.data["amount_kzt"]}
                    for (q, cid, ref), e in self.disbursement_events.items() if q == p]
        if indicator == "spent_kzt":  # what was spent: the cabinets and the other spending
            return self._money(p, "procured_kzt") + self._money(p, "expenditure_kzt")
        if indicator == "expenditure_kzt":
            return [_ref(e, commitment_id=cid, reference=ref, category=e.data["category"])
                    | {"value": e.data["amount_kzt"]}
                    for (cid, ref), e in self.expenditure_events.items()
                    if e.data["programme_id"] == p]
        return [_ref(e, cabinet_id=cid, commitment_id=e.data["commitment_id"])
                | {"value": e.data["cost_kzt"]}
                for (cid, kind), e in self.cabinet_events.items()
                if kind == "CabinetProcured" and e.data["programme_id"] == p
                and self.cabinets[cid]["allocated"]]


def events_behind(trace: Trace, programme_id: str, indicator: str) -> list[dict[str, Any]]:
    return sorted(trace.entries(programme_id, indicator),
                  key=lambda line: (line["source"], line["notification_id"]))


def folded(envelopes: Iterable[Envelope]) -> Trace:
    trace = Trace()
    for envelope in envelopes:
        trace.apply(envelope)
    return trace


class Follower:
    """The live Trace, kept up to date by reading only what each log gained since the last
    request, so that paging through a figure's events does not re-read every log. Each
    source feeds its own part of the fold, so the sources' relative order does not matter.
    Its memory grows with the logs, like the reconciliation's."""

    def __init__(self, amqp_uri: str, sources: tuple[str, ...]) -> None:
        self.amqp_uri = amqp_uri
        self.after = dict.fromkeys(sources, 0)
        self.trace = Trace()
        self.lock = Semaphore()

    def current(self) -> Trace:
        with self.lock, ClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=60) as rpc:
            for source, after in self.after.items():
                for reply in pages(getattr(rpc, source), after):
                    for message in reply["items"]:
                        try:
                            self.trace.apply(parse_envelope(message))
                        except (ValidationError, UnknownContract) as exc:
                            log.warning("trace skips an unreadable event of %s: %s",
                                        source, exc)
                    self.after[source] = reply["next_after"]
        return self.trace


INDICATORS = ("teachers_trained", "managers_trained", "management_teams_trained",
              "trainers_certified", "teachers_with_category", "programme_teachers",
              *SHARES, "organisations_reached",
              "pupils_reached", "schools_equipped", "cabinets_delivered",
              "cabinets_commissioned", "pupils_assessed", "practices_published",
              "practices_adopted", *MONEY)
