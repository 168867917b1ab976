"""`make demo`: load the seed programmes' reference data and BAQUATTY AUDAN's training
through the RPC API, as a real client would, then print the figures read back from the
services next to the programmes' targets.

Each seed goes as the system it comes from, each its own broker user (scripts/principals.py):
the operators set up the reference data and first grant the others; then the academies'
platform sends the training, the schools' e-journal the scores and the Uralsk schools'
development (strategies, projects, partners), the akimats' finance system the expenditures
and disbursements (shared/access/roles.py says what each may call)."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

from contextlib import ExitStack  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

from scripts import (  # noqa: E402
    load_assessment,
    load_equipment,
    load_registry,
    load_reporting,
    seed_access,
    seed_development,
)
from scripts import load_training as load_academies  # noqa: E402
from scripts.calls import call_all, connected, importing_as  # noqa: E402
from scripts.seed_training import PROGRAMME_ID, TARGETS, generate  # noqa: E402
from shared.access.roles import OPERATORS  # noqa: E402

# The seed systems' broker users (scripts/principals.py SEED_SYSTEMS).
ACADEMY, EJOURNAL, FINANCE = "academy", "ejournal", "finance"


def load_training(rpc: Any) -> None:
    seed = generate()
    training = rpc.training
    courses = call_all("courses", seed.courses,
                       lambda c: training.schedule_course.call_async(**c))
    course_id = {c["code"]: c["id"] for c in courses}
    trainers = call_all("trainers certified", seed.trainers,
                        lambda t: training.certify_trainer.call_async(**t))
    # The cascade: each teacher course is led by a certified trainer of its subject.
    leads = [(course, next(t for t in trainers if course["subject"] in t["subjects"]))
             for course in courses if course["audience"] == "teacher"
             and any(course["subject"] in t["subjects"] for t in trainers)]
    call_all("courses led by trainers", leads,
             lambda pair: training.assign_trainer.call_async(course_id=pair[0]["id"],
                                                             trainer_id=pair[1]["id"]))
    people = seed.teachers + seed.managers
    enrolments = call_all("enrolments", people, lambda p: training.enrol.call_async(
        course_id=course_id[p["course_code"]], participant_id=p["participant_id"],
        school_id=p["school_id"], role="manager" if "management_team_id" in p else "teacher",
        management_team_id=p.get("management_team_id"), enrolled_on=str(p["enrolled_on"])))
    # Week by week: one enrolment's two sessions sent side by side would race for its
    # aggregate, and the loser would be retried.
    sessions = [dict(enrolment_id=enrolment["id"], session_id=f"week-{week + 1}",
                     attended_on=str(person["enrolled_on"] + timedelta(weeks=week + 1)),
                     hours=str(person["required"] / 2))
                for week in range(2)
                for person, enrolment in zip(people, enrolments, strict=True)
                if week == 0 or not person["drops"]]  # drop-outs attend the first only
    call_all("attendance sessions", sessions,
             lambda s: training.record_attendance.call_async(**s))
    call_all("completions and drops", zip(people, enrolments, strict=True), lambda pair: (
        training.drop.call_async(enrolment_id=pair[1]["id"], reason="left the school",
                                 dropped_on=str(pair[0]["enrolled_on"] + timedelta(weeks=3)))
        if pair[0]["drops"] else
        training.complete.call_async(
            enrolment_id=pair[1]["id"],
            completed_on=str(pair[0]["enrolled_on"] + timedelta(weeks=3)))))
    call_all("categories attested", seed.attestations,
             lambda a: training.attest_category.call_async(**a))


def print_summary(summary: dict[str, Any]) -> None:
    print(f"\nBAQUATTY AUDAN (Tselinograd district, Akmola) — read back from the training "
          f"service at notification {summary['as_of_notification_id']}")
    print(f"{'indicator':<34}{'target':>8}{'actual':>8}{'share':>8}")
    for key, target in TARGETS.items():
        actual = summary[key]
        print(f"{key.replace('_', ' '):<34}{target:>8}{actual:>8}{actual / target:>8.0%}")
    for key in ("teachers_enrolled", "managers_enrolled", "managers_trained",
                "management_teams_enrolled", "enrolments_dropped", "courses",
                "courses_led_by_certified_trainers", "attended_hours"):
        print(f"{key.replace('_', ' '):<34}{'':>8}{summary[key]:>8}")
    print(f"{'courses by format':<34}{summary['courses_by_format']}")
    print(f"{'teachers by category':<34}{summary['teachers_by_category']}")


def grant_seed_systems(rpc: Any) -> None:
    """Before any seed system calls: each may record for its seeds' programmes only."""
    for grant in seed_access.grants():
        granted = rpc.registry.grant_access(**grant)
        print(f"  granted {granted['principal']}: role {granted['role']} for "
              f"{', '.join(granted['programmes'])}")


def main() -> None:
    with ExitStack() as stack:
        rpc, academy, ejournal, finance = (stack.enter_context(connected(principal)) for
                                           principal in (OPERATORS, ACADEMY, EJOURNAL, FINANCE))
        print(f"Sending as {OPERATORS} (reference data, grants), {ACADEMY} (training), "
              f"{EJOURNAL} (scores, schools' development), {FINANCE} (expenditures, disbursements)")
        load_equipment.set_rule(rpc)  # first, so allocation follows the registry's events
        load_registry.load_reference(rpc, importing_as(OPERATORS))
        grant_seed_systems(rpc)
        load_registry.load_disbursements(finance)
        load_equipment.load(rpc)
        load_equipment.load_spending(rpc, finance)
        load_assessment.load(rpc, importing_as(EJOURNAL))
        seed_development.load(ejournal, importing_as(EJOURNAL))
        load_training(academy)
        load_academies.load(academy, importing_as(ACADEMY))
        load_registry.print_summaries(rpc)
        load_equipment.print_summary(rpc)
        load_assessment.print_summary(rpc)
        print_summary(rpc.training.summary(programme_id=PROGRAMME_ID))
        load_reporting.print_reports(rpc)
    print("\nThe services keep running: training on http://127.0.0.1:8001, registry :8002, "
          "equipment :8003, assessment :8004, reporting :8005 (/metrics, /readyz). Run "
          "`make demo` again (it is idempotent) or `make down` to stop everything.")


if __name__ == "__main__":
    main()
