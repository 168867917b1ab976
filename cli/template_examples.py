"""The example row of each template: plainly an example, never a record of the demo.

Its first cell starts with `EXAMPLE`, and the import skips such a row and says so once
("row N: the template's example row, skipped"), so a file that keeps it imports nothing
from it. Every other id in it is made up as well (`EXAMPLE-SCH-01`, a BIN no organisation
holds), so even a row copied without its first cell names nothing real. The other cells
show a value each column accepts, as the services' own fields validate it."""

from __future__ import annotations

from cli.importers.reading import EXAMPLE_MARK  # the mark the import skips rows by

__all__ = ["EXAMPLES", "EXAMPLE_MARK", "EXAMPLE_NOTE", "example_row"]
EXAMPLE_NOTE = (f"an example: the import skips this row (its first cell, starting with "
                f"{EXAMPLE_MARK}, is the example's own); replace it with your rows, or leave it")

SCHOOL, OTHER_SCHOOL = "EXAMPLE-SCH-01", "EXAMPLE-SCH-02"
COMMITMENT = "EXAMPLE-COMMITMENT"

EXAMPLES: dict[str, dict[str, str]] = {
    "organisations": {
        "organisation_id": SCHOOL, "bin": "010140012345", "kind": "school",
        "name_kk": "№1 жалпы білім беретін мектебі (мысал)",
        "name_ru": "Общеобразовательная школа №1 (пример)", "kato": "154842200",
        "locality": "rural", "small_class": "yes", "pupils": "61", "teachers": "6",
        "name_en": "Secondary school No. 1 (example)", "network_role": "",
        "school_year": ""},
    "scores": {"school_id": SCHOOL, "pupil_id": "EXAMPLE-P-0001", "grade": "6",
               "subject": "math", "score": "24"},
    "training": {
        "participant_id": "EXAMPLE-T-0001", "organisation_id": SCHOOL,
        "course_code": "EXAMPLE-COURSE", "enrolled_on": "2024-09-02", "hours": "22",
        "role": "teacher", "management_team_id": "", "completed_on": "2024-10-10",
        "dropped_on": "", "drop_reason": ""},
    "practices": {
        "practice_code": "EXAMPLE-PRACTICE", "direction": "Экология",
        "title": "Мектеп жылыжайы (мысал)", "publishing_school": SCHOOL,
        "published_on": "2024-10-01", "adopting_school": OTHER_SCHOOL,
        "adopted_on": "2024-11-01"},
    "expenditures": {
        "commitment_id": COMMITMENT, "reference": "EXAMPLE-PO-001",
        "amount_kzt": "38500000", "spent_on": "2024-10-15", "category": "seminars"},
    "disbursements": {
        "programme_id": "EXAMPLE-PROGRAMME", "commitment_id": COMMITMENT,
        "reference": "EXAMPLE-PO-001", "amount_kzt": "90000000",
        "disbursed_on": "2024-06-24"},
    "kato": {
        # `te` is the first column: its example is marked too, so it is not a valid code
        "te": f"{EXAMPLE_MARK}-153200000", "ab": "15", "cd": "32", "ef": "00", "hij": "000",
        "k": "2", "name_kaz": "Алға ауданы", "name_rus": "Алгинский район",
        "name_en": "Alga district"},
    "strategies": {
        "strategy_id": "EXAMPLE-STR-01", "organisation_id": SCHOOL,
        "title": "Мектептің 2024–2027 жылдарға арналған даму стратегиясы (мысал)",
        "adopted_on": "2024-12-20", "valid_until": "2027-08-31"},
    "projects": {
        "project_id": "EXAMPLE-PRJ-01", "organisation_id": SCHOOL,
        "title": "«Оқитын мектеп» кәсіби қоғамдастығы (мысал)",
        "launched_on": "2025-01-15", "strategy_id": "EXAMPLE-STR-01"},
    "partnerships": {
        "partnership_id": "EXAMPLE-MOU-01", "organisation_id": SCHOOL,
        "partner_name": "Мысал университеті", "partner_kind": "university",
        "signed_on": "2025-02-10",
        "purpose": "Студенттердің педагогикалық практикасы және тәлімгерлік",
        "memorandum_ref": "№ EXAMPLE-1/2025"},
}


def example_row(kind_name: str, columns: list[str]) -> list[str]:
    """The example's cells in the template's column order."""
    example = EXAMPLES[kind_name]
    return [example.get(name, "") for name in columns]
