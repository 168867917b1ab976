"""The indicators a programme can set targets for, and how each is measured.

A public list: the registry refuses a target for anything else. It is the public copy of
reporting's catalogue (services/reporting/figures/catalogue.py, where each indicator is
defined once); a test fails when the two differ.
A `unit` indicator counts (teachers, schools, cabinets); a `percentage` is a share of two
counts, reported with its numerator and denominator (IATI measure 1 and 2)."""

from __future__ import annotations

MEASURES = {
    "teachers_trained": "unit",
    "managers_trained": "unit",
    "management_teams_trained": "unit",
    "trainers_certified": "unit",
    "teachers_with_category": "unit",
    # Of the programme's teachers (in one of its courses or attested under it), the share
    # holding a qualification category: the Aktobe pilot's 60 % at the start.
    "teachers_with_category_share": "percentage",
    "organisations_reached": "unit",
    "schools_equipped": "unit",
    "cabinets_delivered": "unit",
    "cabinets_commissioned": "unit",
    "pupils_reached": "unit",
    "pupils_assessed": "unit",
    "practices_published": "unit",
    "practices_adopted": "unit",
}
INDICATORS = tuple(MEASURES)
