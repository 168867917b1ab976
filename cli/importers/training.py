"""Import an online academy's completion export (CSV or XLSX, one row per participant and
course) through the training RPC API, in bulk, with a progress bar and a per-row report.

    baqylau import training FILE.csv --programme uralsk-accelerator [--report OUT.csv]

Columns (any order; UTF-8): participant_id, organisation_id, course_code, enrolled_on, hours,
and optionally role (teacher, the default, or manager), management_team_id, completed_on,
dropped_on, drop_reason. The hours are recorded as one attended session (the academy's
total; below the template's minimum, 0 included, the row is refused). Other columns, such
as participants' names, are never sent. Rows go per course in calls of up to 2,000; each
is validated on its own (an organisation must be a school of the programme), good rows are
stored, bad ones reported (row = line number, field by column name), and importing the same
file again stores nothing. Exit status: 0 all accepted, 1 some rejected, 2 unusable file.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cli.importers.progress import progress
from cli.importers.reasons import in_file_terms
from cli.importers.runner import ImportReport
from shared.errors import InvalidInput, NotFound

COLUMNS = ["participant_id", "organisation_id", "course_code", "enrolled_on", "hours"]
OPTIONAL = ["role", "management_team_id", "completed_on", "dropped_on", "drop_reason"]
BATCH = 2000


def training_row(cells: dict[str, Any]) -> dict[str, Any]:
    """An export row as `record_training` takes it; empty cells are left out."""
    given = {k: v.strip() for k, v in cells.items() if isinstance(v, str) and v.strip()}
    row: dict[str, Any] = {"row": cells["row"], "role": given.get("role", "teacher")}
    for source, target in (("participant_id", "participant_id"),
                           ("organisation_id", "school_id"), ("enrolled_on", "enrolled_on"),
                           ("management_team_id", "management_team_id"),
                           ("completed_on", "completed_on"), ("dropped_on", "dropped_on"),
                           ("drop_reason", "drop_reason")):
        if source in given:
            row[target] = given[source]
    if "hours" in given:  # the service's rule for a session is the hours column's rule
        row["sessions"] = [{"session_id": "academy-total", "hours": given["hours"],
                            "attended_on": given.get(session_dated_by(given))}]
    return row


def session_dated_by(given: dict[str, Any]) -> str:
    """The column the academy-total session takes its date from: the end, else the start."""
    return next((name for name in ("completed_on", "dropped_on")
                 if str(given.get(name) or "").strip()), "enrolled_on")


# The service's names for what the file calls otherwise: a reason is told by column.
COLUMN_OF = {"school_id": "organisation_id", "sessions": "hours"}


def by_column(line: dict[str, Any], dated_by: str = "attended_on") -> dict[str, Any]:
    """A rejected row's reasons under the file's column names: the one session's
    {"sessions": {"0": {"hours": [...]}}} becomes {"hours": [...]}, and its date's reasons
    go to the column `dated_by` it was taken from (that column's own reason, once)."""
    renames = {**COLUMN_OF, "attended_on": dated_by}
    return {**line, "errors": in_file_terms(line.get("errors", {}), renames)}


def import_rows(training: Any, programme_id: str, cells: list[dict[str, Any]],
                label: str = "participants") -> ImportReport:
    report = ImportReport()
    by_course: dict[str, list[dict[str, Any]]] = defaultdict(list)
    dated_by = {line["row"]: session_dated_by(line) for line in cells}
    for line in cells:
        code = (line.get("course_code") or "").strip()
        if not code:
            report.add({"row": line["row"], "outcome": "rejected",
                        "errors": {"course_code": ["Missing data for required field."]}})
        else:
            by_course[code].append(training_row(line))
    with progress(total=len(cells), label=label, unit="row") as bar:
        bar.update(sum(report.counts.values()))
        for code, rows in sorted(by_course.items()):
            for first in range(0, len(rows), BATCH):
                batch = rows[first:first + BATCH]
                try:
                    reply = training.record_training(programme_id=programme_id,
                                                     course_code=code, rows=batch)
                    report.merge(reply["counts"], [
                        by_column(r, dated_by.get(r["row"], "attended_on"))
                        for r in reply["rejected"]])
                except (InvalidInput, NotFound) as exc:  # the course itself: every row of it
                    report.reject_all(batch, exc)
                bar.update(len(batch))
    return report
