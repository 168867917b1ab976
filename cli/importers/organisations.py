"""Import organisations from a regional CSV export (one row per organisation) through the
registry's RPC API, with a progress bar and a per-row report.

    baqylau import organisations FILE.csv --school-year 2024-2025 [--report OUT.csv]

Columns (header names as below, any order; UTF-8, with or without BOM):
  organisation_id, bin, kind, name_kk, name_ru, kato, locality, small_class, pupils, teachers
  and optionally name_en, network_role, school_year (overrides --school-year for that row).
Other columns are not sent (an export may carry staff names) and are listed as ignored.
Each row is validated and saved on its own: bad rows are reported (row = the line number in
the file) and skipped, good rows are saved, and running the same file again changes nothing.
Exit status: 0 if every row was accepted, 1 if some were rejected, 2 if the file is unusable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli.importers.progress import progress
from cli.importers.runner import (
    ImportReport,
    read_csv,
)

REQUIRED = ["organisation_id", "bin", "kind", "name_kk", "name_ru", "kato", "locality",
            "small_class", "pupils", "teachers"]
OPTIONAL = ["name_en", "network_role", "school_year"]
BATCH = 200


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's rows (with their line numbers as "row") and the columns not sent."""
    return read_csv(path, REQUIRED, OPTIONAL)


def import_rows(registry: Any, rows: list[dict[str, Any]], school_year: str,
                label: str = "organisations") -> ImportReport:
    report = ImportReport()
    with progress(total=len(rows), label=label, unit="row") as bar:
        for first in range(0, len(rows), BATCH):
            reply = registry.import_organisations(school_year=school_year,
                                                  rows=rows[first:first + BATCH])
            for line in reply["rows"]:
                report.add(line)
            bar.update(len(reply["rows"]))
    return report


def import_file(registry: Any, path: Path, school_year: str) -> ImportReport:
    rows, ignored = read_rows(path)
    report = import_rows(registry, rows, school_year, label=path.name[:22])
    report.ignored_columns = ignored
    return report
