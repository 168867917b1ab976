"""Reconciliation: every indicator recomputed straight from the services' notification logs,
by a plain fold written independently of the read model's SQL, and compared with it.

The logs are read in each source's own order, so the fold can be naive (last event wins);
the read model had to get the same answer from any arrival order. Zero differences means no
event was lost or counted twice on the way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from services.reporting import readmodel, reports
from shared.contracts.envelope import Envelope


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
        elif t.startswith("Cabinet"):
            self._cabinet(t, d)
        elif t == "AssessmentRoundOpened":
            self.rounds[d["round_id"]] = d["programme_id"]
        elif t == "ScoresRecorded":
            self.scores |= {(d["round_id"], s["pupil_ref"], s["subject"]) for s in d["scores"]}

    def _cabinet(self, t: str, d: dict[str, Any]) -> None:
        row = self.cabinets.setdefault(d["cabinet_id"], {
            "programme_id": d["programme_id"], "organisation_id": d["organisation_id"],
            "allocated": True, "delivered": False, "commissioned": False})
        if t in ("CabinetAllocated", "CabinetAllocationCancelled"):
            row["allocated"] = t == "CabinetAllocated"
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
            "organisations_reached": len(members),
            "pupils_reached": sum(self.profiles[o][1] for o in members if o in self.profiles),
            "schools_equipped": sum(all(c["commissioned"] for c in v) for v in by_school.values()),
            "cabinets_delivered": sum(c["delivered"] for c in cabinets),
            "cabinets_commissioned": sum(c["commissioned"] for c in cabinets),
            "pupils_assessed": len({ref for r, ref, _ in self.scores if self.rounds.get(r) == p}),
            "practices_published": sum(q == p for q in self.practices.values()),
            "practices_adopted": sum(q == p for q in self.adoptions.values()),
        }


def differences(envelopes: Iterable[Envelope], cur: Any, programmes: Iterable[str],
                schema: str = readmodel.SCHEMA) -> list[dict[str, Any]]:
    """[{programme_id, indicator, from_logs, read_model}] for every figure that disagrees."""
    fold = Fold()
    for envelope in envelopes:
        fold.apply(envelope)
    out = []
    for programme_id in programmes:
        expected = fold.figures(programme_id)
        actual = reports.figures(cur, programme_id, schema)
        out += [{"programme_id": programme_id, "indicator": name,
                 "from_logs": value, "read_model": actual[name]}
                for name, value in expected.items() if actual[name] != value]
    return out
