"""Import the KATO classifier (regions' and districts' names) through the registry's RPC API.

    baqylau import kato FILE.xlsx [--report OUT.csv]

The file as the Bureau of National Statistics publishes it (XLSX, or the same columns as
CSV): te, ab, cd, ef, hij, k, name_kaz, name_rus, and optionally name_en (an English form,
which the Bureau's file does not have). Regions and districts are stored; rural districts
and settlements are reported "skipped". The same file twice stores nothing the second time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli.importers.progress import progress
from cli.importers.runner import ImportReport, read_table

COLUMNS = ["te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus"]
OPTIONAL = ["name_en"]
BATCH = 500


def import_rows(registry: Any, rows: list[dict[str, Any]], label: str = "kato") -> ImportReport:
    report = ImportReport()
    with progress(total=len(rows), label=label) as bar:
        for first in range(0, len(rows), BATCH):
            reply = registry.import_kato(rows=rows[first:first + BATCH])
            for line in reply["rows"]:
                report.add(line)
            bar.update(len(reply["rows"]))
    return report


def import_file(registry: Any, path: Path) -> ImportReport:
    rows, ignored = read_table(path, COLUMNS, OPTIONAL)
    report = import_rows(registry, rows, label=path.name[:22])
    report.ignored_columns = ignored
    return report
