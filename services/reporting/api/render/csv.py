"""A report and a drill-down as CSV, every text cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from services.reporting.api.render.spreadsheet import (
    OUTCOME_COLUMNS,
    csv_cell,
    csv_row,
    outcome_rows,
)


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "target", "actual", "share_reached",
                     "committed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt",
                     "remaining_kzt", "numerator", "denominator", "disbursed_kzt"])
    for i in report["indicators"]:
        writer.writerow(["indicator", i["indicator"], i["target"], i["actual"],
                         i["share_reached"], "", "", "", "", "", i.get("numerator", ""),
                         i.get("denominator", ""), ""])
    for c in report["money"]["commitments"]:
        writer.writerow(csv_row([
            "commitment", f"{c['commitment_id']} ({c['funder_id']}, {c['scope']})",
            "", "", "", c["committed_kzt"], c["procured_kzt"], c["expenditure_kzt"],
            c["spent_kzt"], c["remaining_kzt"], "", "", c["disbursed_kzt"]]))
    for category, amount in report["money"]["spent_by_category"].items():
        writer.writerow(["spending", category, "", "", "", "", "", amount, amount, "", "", "",
                         ""])
    if report["learning_outcomes"]:
        writer.writerow([])
        writer.writerow(OUTCOME_COLUMNS)
        writer.writerows(csv_row(row) for row in outcome_rows(report["learning_outcomes"]))
    return out.getvalue()



def rows_csv(lines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if lines:
        writer = csv.DictWriter(out, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in line.items()} for line in lines)
    return out.getvalue()

