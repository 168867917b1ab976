"""The roles a calling system can be granted, and what each may call.

One table for the whole platform, so that the services' checks, the broker's topic
permissions (shared/access/broker.py) and the documentation say the same thing. A method
named nowhere below is for operators only: a new command is closed until it is placed.
"""

from __future__ import annotations

from typing import Iterable

OPERATORS = "operators"  # the operators' role, and their principal's default name
SERVICE = "service"      # the role of the platform's own services calling each other
SERVICES = ("registry", "training", "equipment", "assessment", "reporting")
EVENT_SOURCES = ("registry", "training", "equipment", "assessment")
GRANTABLE = ("academy", "school-data", "finance", "reader")
ALL_PROGRAMMES = "*"

# Reading reference data and views: every role may.
QUERIES: dict[str, frozenset[str]] = {
    "registry": frozenset({"find_organisation", "get_funder", "get_organisation",
                           "get_programme", "list_organisations", "programme_summary"}),
    "training": frozenset({"find_course", "get_course", "get_enrolment", "list_courses",
                           "summary"}),
    "equipment": frozenset({"get_cabinet", "get_commitment", "list_cabinets", "summary"}),
    "assessment": frozenset({"get_round", "list_rounds", "round_summary"}),
}

# What each outside role records, service by service.
RECORDS: dict[str, dict[str, frozenset[str]]] = {
    "academy": {"training": frozenset({
        "schedule_course", "assign_trainer", "enrol", "record_attendance", "complete", "drop",
        "record_training", "certify_trainer", "attest_category", "publish_practice",
        "adopt_practice"})},
    # A school's own data: its pupils' scores, and the strategy, projects and partners its
    # leaders record (the same schools' system, and the same programmes).
    "school-data": {"assessment": frozenset({"record_scores", "correct_score"}),
                    "registry": frozenset({"adopt_strategy", "launch_project",
                                           "sign_partnership"})},
    "finance": {"equipment": frozenset({"record_expenditure"}),
                "registry": frozenset({"record_disbursement"})},
    "reader": {},
}

# What a role reads beyond the queries every role may call: a school-data system matches
# its pupils' ids to the pseudonyms scores are published under.
READS: dict[str, dict[str, frozenset[str]]] = {
    "school-data": {"assessment": frozenset({"pupil_reference"})},
}

# Whose event logs a role reads: the `notifications` RPC and the event exchanges.
LOGS: dict[str, frozenset[str]] = {
    "academy": frozenset({"registry", "training"}),
    "school-data": frozenset({"registry", "assessment"}),
    "finance": frozenset({"registry", "equipment"}),
    "reader": frozenset(EVENT_SOURCES),
    SERVICE: frozenset(EVENT_SOURCES),
}

# The services' own calls to each other, beyond queries and logs.
SERVICE_CALLS = {"registry": frozenset({"list_access"})}


def may_call(role: str, service: str, method: str) -> bool:
    """Whether `role` may call `service.method` at all (programmes are checked apart)."""
    if role == OPERATORS:
        return True
    if method == "notifications":
        return service in LOGS.get(role, ())
    if method in QUERIES.get(service, ()):
        return role in GRANTABLE or role == SERVICE
    if role == SERVICE:
        return method in SERVICE_CALLS.get(service, ())
    return (method in RECORDS.get(role, {}).get(service, ())
            or method in READS.get(role, {}).get(service, ()))


def records(role: str, service: str, method: str) -> bool:
    """Whether the call records facts for a programme (and so is held to the grant's
    programmes: a record command must say which programme it records for)."""
    return method in RECORDS.get(role, {}).get(service, ())


def methods_of(role: str, catalogue: Iterable[tuple[str, str]]) -> list[str]:
    """`service.method` of every catalogued method `role` may call, sorted."""
    return sorted(f"{s}.{m}" for s, m in catalogue if may_call(role, s, m))
