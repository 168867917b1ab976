"""The seed systems' grants, recorded by the operators before any of them calls: each may
record for the programmes its seeds are about and no others (their broker users are
scripts/principals.py's). Derived from the seeds, so a seed for a new programme cannot go
out without its system's grant."""

from __future__ import annotations

from typing import Any

from scripts import (
    seed_academies,
    seed_assessment,
    seed_development,
    seed_registry,
    seed_spending,
    seed_training,
)
from scripts.principals import SEED_SYSTEMS


def academy_programmes() -> set[str]:
    """Every programme with a course: BAQUATTY AUDAN's, and the academies' and the league's
    (their practices and the Aktobe teachers' categories are of programmes with courses)."""
    return {seed_training.PROGRAMME_ID, *(c["programme_id"] for c in seed_academies.COURSES)}


def school_data_programmes() -> set[str]:
    """The programmes of the e-journal's assessment rounds, and of the schools'
    development it sends (strategies, projects, partnerships)."""
    return {r["programme_id"] for r in (seed_assessment.BASELINE, seed_assessment.ENDLINE)
            } | {seed_development.PROGRAMME}


def finance_programmes() -> set[str]:
    """The programmes of the commitments the finance system pays out and spends from."""
    programme_of = {c: p for p, c, *_ in seed_registry.COMMITMENTS}
    disbursed = {d["programme_id"] for d in seed_registry.generate().disbursements}
    return disbursed | {programme_of[spent[0]] for spent in seed_spending.EXPENDITURES}


PROGRAMMES = {"academy": academy_programmes, "school-data": school_data_programmes,
              "finance": finance_programmes}
REASONS = {"academy": "demo: the academies' platform sends the seed programmes' training",
           "school-data": "demo: the schools' e-journal sends the assessment rounds' scores "
                          "and the Uralsk schools' strategies, projects and partners",
           "finance": "demo: the akimats' finance system sends expenditures and "
                      "disbursements"}


def grants() -> list[dict[str, Any]]:
    """`registry.grant_access` arguments for each seed system."""
    return [dict(principal=principal, role=role, programmes=sorted(PROGRAMMES[role]()),
                 reason=REASONS[role]) for principal, role in SEED_SYSTEMS.items()]
