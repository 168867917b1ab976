"""Import a programme's spending other than cabinets (a finance system's export, CSV or
XLSX, one row per payment order or invoice) through `equipment.record_expenditure`.

    baqylau import expenditures FILE.csv [--report OUT.csv]

Columns (any order; UTF-8): commitment_id, reference, amount_kzt, spent_on, category. Each
row is charged to its commitment's ledger on its own: a row that would overspend what the
commitment has left, or reuses a reference with other details, is rejected with the field
named; the others are stored. The reference is the natural key, so importing the same file
again stores nothing ("unchanged"). Exit status: 0 all accepted, 1 some rejected, 2 unusable.
"""

from __future__ import annotations

from typing import Any

from cli.importers.progress import progress
from cli.importers.runner import ImportReport
from shared.errors import BaqylauError

COLUMNS = ["commitment_id", "reference", "amount_kzt", "spent_on", "category"]
OPTIONAL: list[str] = []


def money_row(cells: dict[str, Any]) -> dict[str, Any]:
    """A row of money as the service takes it: the amount a JSON integer of tenge when the
    cell holds digits (a spreadsheet's "38 500 000" too); anything else is sent as it is,
    for the service's schema to refuse with its reason."""
    given = {k: v.strip() for k, v in cells.items() if k != "row" and isinstance(v, str)}
    amount = "".join(given.get("amount_kzt", "").split())
    if amount.isdigit():
        given["amount_kzt"] = int(amount)
    return {name: value for name, value in given.items() if value != ""}


def import_rows(equipment: Any, rows: list[dict[str, Any]],
                label: str = "expenditures") -> ImportReport:
    report = ImportReport()
    charges: dict[str, dict[str, int]] = {}  # commitment -> reference -> KZT, as last seen
    for cells in progress(rows, label=label):
        payload = money_row(cells)
        commitment = payload.get("commitment_id", "")
        try:
            if commitment not in charges:
                charges[commitment] = equipment.get_commitment(
                    commitment_id=commitment)["charges"]
            known = payload.get("reference") in charges[commitment]
            ledger = equipment.record_expenditure(**payload)
        except BaqylauError as exc:
            charges.pop(commitment, None)  # not found, or refused: ask again next time
            report.add({"row": cells["row"], "outcome": "rejected", "errors": exc.errors})
            continue
        charges[commitment] = ledger["charges"]
        report.add({"row": cells["row"], "outcome": "unchanged" if known else "recorded"})
    return report
