"""The reconciliation's fold: every public event of every service, read from the services'
own logs in each log's order, kept as plain Python state, written apart from the read
model's SQL so that it can check it. The catalogue counts each indicator from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.reporting.figures.reconcile_outcomes import ScoreFold
from shared.contracts.envelope import Envelope

# The money figures compared per commitment and in total (spent and remaining follow).
MONEY_COMPARED = ("committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt")
# A school's development facts: the fold's table and the event's id field.
DEVELOPMENT = {"StrategyAdopted": ("strategies", "strategy_id"),
               "ProjectLaunched": ("projects", "project_id"),
               "PartnershipSigned": ("partnerships", "partnership_id")}


@dataclass
class Fold:
    enrolments: dict[str, dict[str, Any]] = field(default_factory=dict)
    trainers: set[tuple[str, str]] = field(default_factory=set)
    categories: dict[str, str | None] = field(default_factory=dict)
    practices: dict[str, str] = field(default_factory=dict)
    adoptions: dict[tuple[str, str], str] = field(default_factory=dict)
    participants: set[tuple[str, str]] = field(default_factory=set)
    profiles: dict[str, tuple[str, int]] = field(default_factory=dict)  # org -> (year, pupils)
    cabinets: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # cabinet, id
    strategies: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> programme, org
    projects: dict[str, tuple[str, str]] = field(default_factory=dict)
    partnerships: dict[str, tuple[str, str]] = field(default_factory=dict)
    rounds: dict[str, str] = field(default_factory=dict)
    scores: set[tuple[str, str, str, str]] = field(default_factory=set)  # round, school, …
    comparison: set[tuple[str, str]] = field(default_factory=set)  # round, comparison school
    assessed_at: set[tuple[str, str, str]] = field(default_factory=set)  # round, school, pupil
    # Keyed by programme and id, never by id alone: a commitment id that two programmes
    # share shows up as a difference instead of one programme's money hiding the other's.
    commitments: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    expenditures: dict[tuple[str, str, str], int] = field(default_factory=dict)
    disbursements: dict[tuple[str, str, str], int] = field(default_factory=dict)
    outcomes: ScoreFold = field(default_factory=ScoreFold)
    # Reconciliation compares outcomes and drill-downs; the figure-events trace, which lives
    # as long as the service, does not keep every score for them.
    detailed: bool = True

    def apply(self, e: Envelope) -> None:  # noqa: C901 - one branch per contract reads best
        d, t = e.data, e.type
        if t in ("ParticipantEnrolled", "TrainingCompleted", "TrainingDropped"):
            status = {"TrainingCompleted": "completed", "TrainingDropped": "dropped"}.get(t)
            row = self.enrolments.setdefault(d["enrolment_id"], {**d, "status": "enrolled"})
            row["status"] = status or row["status"]
        elif t == "TrainerCertified":
            self.trainers.add((d["programme_id"], d["person_id"]))
        elif t == "TeacherCategoryAttested":
            self.categories[d["teacher_id"]] = d["programme_id"]
        elif t == "PracticePublished":
            self.practices[d["practice_id"]] = d["programme_id"]
        elif t == "PracticeAdopted":
            self.adoptions[(d["practice_id"], d["school_id"])] = d["programme_id"]
        elif t == "OrganisationJoinedProgramme":
            self.participants.add((d["programme_id"], d["organisation_id"]))
            if self.detailed:
                self.outcomes.apply(e)
        elif t in ("OrganisationRegistered", "OrganisationProfileUpdated"):
            current = self.profiles.get(d["organisation_id"])
            if current is None or current[0] <= d["school_year"]:
                self.profiles[d["organisation_id"]] = (d["school_year"], d["pupils"])
            if self.detailed:
                self.outcomes.apply(e)
        elif t == "FundingCommitted":
            self.commitments[(d["programme_id"], d["commitment_id"])] = {
                "funder_id": d["funder_id"], "amount_kzt": d["amount_kzt"]}
        elif t == "ExpenditureRecorded":
            self.expenditures[(d["programme_id"], d["commitment_id"], d["reference"])] = \
                d["amount_kzt"]
        elif t == "FundsDisbursed":
            self.disbursements[(d["programme_id"], d["commitment_id"], d["reference"])] = \
                d["amount_kzt"]
        elif t.startswith("Cabinet"):
            self._cabinet(t, d)
        elif t in ("FaultReported", "FaultResolved"):
            fault = self.faults.setdefault((d["cabinet_id"], d["fault_id"]), {
                "programme_id": d["programme_id"], "organisation_id": d["organisation_id"],
                "reported": False, "resolved": False})
            fault["reported" if t == "FaultReported" else "resolved"] = True
        elif t in DEVELOPMENT:
            table, key = DEVELOPMENT[t]
            getattr(self, table)[d[key]] = (d["programme_id"], d["organisation_id"])
        elif t == "AssessmentRoundOpened":
            self.rounds[d["round_id"]] = d["programme_id"]
            self.comparison |= {(d["round_id"], school) for school in d["comparison_school_ids"]}
            if self.detailed:
                self.outcomes.apply(e)
        elif t == "ScoresRecorded":
            self.scores |= {(d["round_id"], d["school_id"], s["pupil_ref"], s["subject"])
                            for s in d["scores"]}
            if self.detailed:
                self.assessed_at |= {(d["round_id"], d["school_id"], s["pupil_ref"])
                                     for s in d["scores"]}
                self.outcomes.apply(e)
        elif t == "ScoreCorrected" and self.detailed:
            self.outcomes.apply(e)

    def _cabinet(self, t: str, d: dict[str, Any]) -> None:
        row = self.cabinets.setdefault(d["cabinet_id"], {
            "programme_id": d["programme_id"], "organisation_id": d["organisation_id"],
            "allocated": True, "delivered": False, "commissioned": False})
        if t in ("CabinetAllocated", "CabinetAllocationCancelled"):
            row["allocated"] = t == "CabinetAllocated"
        elif t == "CabinetProcured":
            row["cost_kzt"], row["commitment_id"] = d["cost_kzt"], d["commitment_id"]
        elif t == "CabinetDelivered":
            row["delivered"] = True
        elif t == "CabinetCommissioned":
            row["commissioned"] = True
            row["internet_mbps"] = Decimal(str(d["internet_mbps"]))

    def money(self, programme_id: str) -> dict[str, int]:
        """The compared money, in total and per commitment, as `reports.money` has it."""
        out: dict[str, int] = {}
        for (p, commitment_id), line in self.commitments.items():
            if p != programme_id:
                continue
            procured = sum(c.get("cost_kzt", 0) for c in self.cabinets.values()
                           if c.get("commitment_id") == commitment_id and c["allocated"]
                           and c["programme_id"] == p)
            spent = sum(amount for (q, c, _), amount in self.expenditures.items()
                        if q == p and c == commitment_id)
            out[f"{commitment_id}:committed_kzt"] = line["amount_kzt"]
            out[f"{commitment_id}:disbursed_kzt"] = sum(
                amount for (q, c, _), amount in self.disbursements.items()
                if q == p and c == commitment_id)
            out[f"{commitment_id}:procured_kzt"] = procured
            out[f"{commitment_id}:expenditure_kzt"] = spent
        for total in MONEY_COMPARED:
            out[total] = sum(v for k, v in out.items() if k.endswith(f":{total}"))
        return out

    def organisations(self, programme_id: str) -> dict[str, dict[str, int]]:
        """Each organisation's drill-down line, as `reports.organisations` has it."""
        rounds = {r for r, q in self.rounds.items() if q == programme_id}
        out = {}
        for q, school in self.participants:
            if q != programme_id:
                continue
            cabinets = [c for c in self.cabinets.values() if c["programme_id"] == q
                        and c["organisation_id"] == school and c["allocated"]]
            out[school] = {
                "pupils": self.profiles.get(school, ("", 0))[1],
                "participants_trained": len({r["participant_id"] for r in self.enrolments.values()
                                             if r["programme_id"] == q and r["school_id"] == school
                                             and r["status"] == "completed"}),
                "cabinets": len(cabinets),
                "cabinets_commissioned": sum(c["commissioned"] for c in cabinets),
                "pupils_assessed": len({ref for r, at, ref in self.assessed_at
                                        if r in rounds and at == school})}
        return out
