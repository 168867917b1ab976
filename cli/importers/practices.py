"""Import a league's practices and their adoptions (CSV or XLSX, one row per adoption, or a
practice with no adopter yet) through the training RPC API, with a per-row report.

    baqylau import practices FILE.csv --programme kyzylorda-partner-directors

Columns (any order; UTF-8): practice_code, direction, title, publishing_school, published_on,
and optionally adopting_school, adopted_on. A practice is published once, by its publishing
school (the same practice on several rows is the same practice); each row with an adopting
school records that school's adoption. Other columns are never sent. Importing the same file
again stores nothing ("unchanged"). Exit status: 0 all accepted, 1 some rejected, 2 unusable.
"""

from __future__ import annotations

from typing import Any

from cli.importers.progress import progress
from cli.importers.reasons import in_file_terms
from cli.importers.runner import ImportReport
from shared.errors import BaqylauError

COLUMNS = ["practice_code", "direction", "title", "publishing_school", "published_on"]
OPTIONAL = ["adopting_school", "adopted_on"]


def _given(cells: dict[str, Any]) -> dict[str, str]:
    return {k: v.strip() for k, v in cells.items() if isinstance(v, str) and v.strip()}


# The commands' names for what the file calls otherwise: a reason is told by column.
PUBLISHING = {"code": "practice_code", "school_id": "publishing_school"}
ADOPTING = {"school_id": "adopting_school", "practice_id": "practice_code"}


def import_row(training: Any, programme_id: str, cells: dict[str, Any],
               published: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """One row: publish its practice (once per file), then record its adoption."""
    given = _given(cells)
    key = (given.get("publishing_school", ""), given.get("practice_code", ""))
    renames = PUBLISHING
    try:
        if key not in published:
            published[key] = training.publish_practice(
                programme_id=programme_id, school_id=given.get("publishing_school"),
                code=given.get("practice_code"), direction=given.get("direction"),
                title=given.get("title"), published_on=given.get("published_on"))
        practice = published[key]
        if "adopting_school" not in given and "adopted_on" not in given:
            return {"row": cells["row"], "outcome": "published"}
        if given.get("adopting_school") in practice["adopters"]:
            return {"row": cells["row"], "outcome": "unchanged"}
        renames = ADOPTING
        practice = training.adopt_practice(practice_id=practice["id"],
                                           school_id=given.get("adopting_school"),
                                           adopted_on=given.get("adopted_on"))
        published[key] = practice
        return {"row": cells["row"], "outcome": "recorded"}
    except BaqylauError as exc:
        return {"row": cells["row"], "outcome": "rejected",
                "errors": in_file_terms(exc.errors, renames)}


def import_rows(training: Any, programme_id: str, rows: list[dict[str, Any]],
                label: str = "practices") -> ImportReport:
    report = ImportReport()
    published: dict[tuple[str, str], dict[str, Any]] = {}
    for cells in progress(rows, label=label):
        report.add(import_row(training, programme_id, cells, published))
    return report
