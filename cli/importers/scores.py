"""Import pupils' scores for one assessment round from an e-journal CSV export (one row per
pupil and subject) through the assessment RPC API, with a progress bar and a per-row report.

    baqylau import scores FILE.csv --round AKT-2023-BASELINE [--report OUT.csv]

Columns (any order; UTF-8): school_id, pupil_id, grade, subject, score. Other columns, such
as pupils' names, are never sent. Rows go per school in calls of up to 2,000 scores; each is
validated on its own (score above the maximum, unknown grade, subject or school...), good
rows are stored, bad ones reported with row = line number, and importing the same file again
counts every score once. Exit status: 0 all accepted, 1 some rejected, 2 unusable file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from cli.importers.progress import progress
from cli.importers.runner import (
    ImportReport,
    read_csv,
)
from shared.errors import InvalidInput

COLUMNS = ["school_id", "pupil_id", "grade", "subject", "score"]
BATCH = 2000
IN_FLIGHT = 4  # calls for different schools touch different sheets: no contention


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    return read_csv(path, COLUMNS)


def batches(rows: list[dict[str, Any]], report: ImportReport) -> list[tuple[str, list]]:
    by_school: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        school_id = (row.pop("school_id", None) or "").strip()
        if not school_id:
            report.add({"row": row["row"], "outcome": "rejected",
                        "errors": {"school_id": ["Missing data for required field."]}})
        else:
            by_school[school_id].append(row)
    return [(school, scores[i:i + BATCH]) for school, scores in sorted(by_school.items())
            for i in range(0, len(scores), BATCH)]


def import_rows(assessment: Any, round_id: str, rows: list[dict[str, Any]],
                label: str = "scores") -> ImportReport:
    report = ImportReport()
    work = batches(rows, report)
    with progress(total=len(rows), label=label, unit="score") as bar:
        bar.update(sum(report.counts.values()))
        for first in range(0, len(work), IN_FLIGHT):
            calls = [(scores, assessment.record_scores.call_async(
                round_id=round_id, school_id=school, scores=scores))
                for school, scores in work[first:first + IN_FLIGHT]]
            for scores, call in calls:
                try:
                    reply = call.result()
                    report.merge(reply["counts"], reply["rejected"])
                except InvalidInput as exc:  # e.g. a malformed school id: every row of it
                    report.reject_all(scores, exc)
                bar.update(len(scores))
    return report
