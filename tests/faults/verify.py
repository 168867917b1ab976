"""What the event stores hold, compared with what the callers were told."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from services.reporting.ingest.logs import read_logs
from tests.faults.workload import Ledger


def stored_facts(amqp_uri: str) -> tuple[dict[str, Counter], int]:
    """Counts of each fact the load creates, keyed as the ledger keys them, from every
    service's own log; and the number of public events read."""
    facts: dict[str, Counter] = defaultdict(Counter)
    envelopes = read_logs(amqp_uri)
    for envelope in envelopes:
        data, kind = envelope.data, envelope.type
        if kind == "OrganisationRegistered":
            facts["organisations"][data["organisation_id"]] += 1
        elif kind == "OrganisationJoinedProgramme":
            facts["joins"][(data["programme_id"], data["organisation_id"])] += 1
        elif kind == "ParticipantEnrolled":
            facts["enrolments"][str(data["enrolment_id"])] += 1
        elif kind == "TrainingCompleted":
            facts["completions"][str(data["enrolment_id"])] += 1
        elif kind == "CabinetAllocated":
            facts["cabinets"][data["cabinet_id"]] += 1
            facts["cabinets_of"][data["organisation_id"]] += 1
        elif kind == "CabinetAllocationCancelled":
            facts["cancelled"][data["cabinet_id"]] += 1
        elif kind == "ScoresRecorded":
            for score in data["scores"]:
                facts["scores"][(data["school_id"], data["grade"], score["subject"],
                                 score["pupil_ref"])] += 1
    return facts, len(envelopes)


def problems(ledger: Ledger, facts: dict[str, Counter]) -> list[str]:
    """Every acknowledged command's fact stored exactly once; every joined Aktobe school
    with its cabinets; no fact stored twice, acknowledged or not."""
    found = []
    for name in ("organisations", "joins", "enrolments", "completions", "scores"):
        acknowledged = getattr(ledger, name)
        missing = [key for key in acknowledged if facts[name][key] == 0]
        if missing:
            found.append(f"{len(missing)} acknowledged {name} not stored, e.g. {missing[:3]}")
    for name in ("organisations", "joins", "enrolments", "completions", "scores", "cabinets"):
        twice = [key for key, n in facts[name].items() if n > 1]
        if twice:
            found.append(f"{len(twice)} {name} stored more than once, e.g. {twice[:3]}")
    short = [(school, facts["cabinets_of"][school], expected)
             for school, expected in ledger.organisations.items()
             if facts["cabinets_of"][school] != expected]
    if short:
        found.append(f"{len(short)} schools without the cabinets they should have "
                     f"(school, allocated, expected), e.g. {short[:3]}")
    if facts["cancelled"]:
        found.append(f"{len(facts['cancelled'])} cabinets cancelled; no contingent changed")
    return found


def events_stored(rpc: Any) -> dict[str, int]:
    """Every event in each service's store, internal ones included (the notification log's
    last id; ids can have gaps, so this is an upper bound within a few)."""
    return {name: getattr(rpc, name).notifications(after=0, limit=1)["last_notification_id"]
            for name in ("registry", "equipment", "assessment", "training")}
