"""Import what funders paid out under their commitments (a finance system's export, CSV or
XLSX, one row per payment order) through `registry.record_disbursement`.

    baqylau import disbursements FILE.csv [--report OUT.csv]

Columns (any order; UTF-8): programme_id, commitment_id, reference, amount_kzt,
disbursed_on. Each row is recorded on its own: one that would take a commitment's
disbursements past the commitment, or reuses a reference with other details, is rejected
with the field named; the others are stored. The reference is the natural key, so importing
the same file again stores nothing ("unchanged"). Exit status: 0 all accepted, 1 some
rejected, 2 unusable.
"""

from __future__ import annotations

from typing import Any

from cli.importers.expenditures import money_row
from cli.importers.progress import progress
from cli.importers.runner import ImportReport
from shared.errors import BaqylauError

COLUMNS = ["programme_id", "commitment_id", "reference", "amount_kzt", "disbursed_on"]
OPTIONAL: list[str] = []


def _disbursed(programme: dict[str, Any], commitment_id: str) -> int | None:
    return next((c["disbursed_kzt"] for c in programme["commitments"]
                 if c["commitment_id"] == commitment_id), None)


def import_rows(registry: Any, rows: list[dict[str, Any]],
                label: str = "disbursements") -> ImportReport:
    report = ImportReport()
    for cells in progress(rows, label=label):
        payload = money_row(cells)
        try:
            before = _disbursed(registry.get_programme(
                programme_id=payload.get("programme_id", "")), payload.get("commitment_id"))
            after = _disbursed(registry.record_disbursement(**payload),
                               payload["commitment_id"])
        except BaqylauError as exc:
            report.add({"row": cells["row"], "outcome": "rejected", "errors": exc.errors})
            continue
        # Every new payment is at least 1 KZT: a total that did not move was a repeat.
        report.add({"row": cells["row"], "outcome": "unchanged" if after == before
                    else "recorded"})
    return report
