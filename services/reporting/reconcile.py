"""Reconciliation: every indicator, every money line, every learning-outcome cell and every
drill-down line recomputed straight from the services' notification logs, by a plain fold
written independently of the read model's SQL, and compared with it.

The logs are read in each source's own order, so the fold can be naive (last event wins);
the read model had to get the same answer from any arrival order. Zero differences means no
event was lost or counted twice on the way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from services.reporting import readmodel, reports
from services.reporting.outcomes import learning_outcomes
from services.reporting.reconcile_outcomes import ScoreFold, outcome_differences
from shared.contracts.envelope import Envelope

# The money figures compared per commitment and in total (spent and remaining follow).
MONEY_COMPARED = ("committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt")


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
    rounds: dict[str, str] = field(default_factory=dict)
    scores: set[tuple[str, str, str]] = field(default_factory=set)
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
        elif t == "AssessmentRoundOpened":
            self.rounds[d["round_id"]] = d["programme_id"]
            if self.detailed:
                self.outcomes.apply(e)
        elif t == "ScoresRecorded":
            self.scores |= {(d["round_id"], s["pupil_ref"], s["subject"]) for s in d["scores"]}
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

    def figures(self, programme_id: str) -> dict[str, int]:  # noqa: C901
        p = programme_id
        done = [r for r in self.enrolments.values()
                if r["programme_id"] == p and r["status"] == "completed"]
        cabinets = [c for c in self.cabinets.values() if c["programme_id"] == p
                    and c["allocated"]]
        by_school: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for cabinet in cabinets:
            by_school[cabinet["organisation_id"]].append(cabinet)
        members = [o for q, o in self.participants if q == p]
        return {
            "teachers_trained": len({r["participant_id"] for r in done if r["role"] == "teacher"}),
            "managers_trained": len({r["participant_id"] for r in done if r["role"] == "manager"}),
            "management_teams_trained": len({r["management_team_id"] for r in done
                                             if r["role"] == "manager"}),
            "trainers_certified": sum(q == p for q, _ in self.trainers),
            "teachers_with_category": sum(q == p for q in self.categories.values()),
            "programme_teachers": len(
                {r["participant_id"] for r in self.enrolments.values()
                 if r["programme_id"] == p and r["role"] == "teacher"}
                | {t for t, q in self.categories.items() if q == p}),
            "organisations_reached": len(members),
            "pupils_reached": sum(self.profiles[o][1] for o in members if o in self.profiles),
            "schools_equipped": sum(all(c["commissioned"] for c in v) for v in by_school.values()),
            "cabinets_delivered": sum(c["delivered"] for c in cabinets),
            "cabinets_commissioned": sum(c["commissioned"] for c in cabinets),
            "pupils_assessed": len({ref for r, ref, _ in self.scores if self.rounds.get(r) == p}),
            "practices_published": sum(q == p for q in self.practices.values()),
            "practices_adopted": len({school for (_, school), q in self.adoptions.items()
                                      if q == p}),
        }


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


def _compare(programme_id: str, kind: str, expected: dict[str, Any],
             actual: dict[str, Any], only_expected: bool = False) -> list[dict[str, Any]]:
    names = set(expected) if only_expected else set(expected) | set(actual)
    return [{"programme_id": programme_id, "indicator": f"{kind}{name}",
             "from_logs": expected.get(name), "read_model": actual.get(name)}
            for name in sorted(names) if expected.get(name) != actual.get(name)]


def differences(envelopes: Iterable[Envelope], cur: Any, programmes: Iterable[str],
                schema: str = readmodel.SCHEMA) -> list[dict[str, Any]]:
    """[{programme_id, indicator, from_logs, read_model}] for every figure that disagrees:
    indicators by name, money as `money:…`, drill-down lines as `organisation:<id>:…`,
    learning outcomes as `outcome:<endline>:<grade>:<subject>:<split>:…`."""
    fold = Fold()
    for envelope in envelopes:
        fold.apply(envelope)
    out = []
    for p in programmes:
        out += _compare(p, "", fold.figures(p), reports.figures(cur, p, schema))
        money = reports.money(cur, p, schema)
        kinds = MONEY_COMPARED
        out += _compare(p, "money:", fold.money(p), {
            **{k: money[k] for k in kinds},
            **{f"{c['commitment_id']}:{k}": c[k] for c in money["commitments"] for k in kinds}})
        lines = {o["organisation_id"]: o for o in reports.organisations(cur, p, schema)}
        for school, expected in fold.organisations(p).items():
            out += _compare(p, f"organisation:{school}:", expected, lines.pop(school, {}),
                            only_expected=True)
        out += [{"programme_id": p, "indicator": f"organisation:{school}", "from_logs": None,
                 "read_model": "a line"} for school in lines]
        out += outcome_differences(p, fold.outcomes.cells(p),
                                   learning_outcomes(cur, p, schema))
    return out
