"""The parts every bulk import shares: reading the file (cli/importers/reading.py),
reporting counts by outcome and, per rejected row, the file's column and the reason
(cli/importers/reasons.py), and the run itself from file to exit status."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from cli.connect import cluster
from cli.errors import fail
from cli.importers.reading import (  # noqa: F401 - the importers' and tests' one entry
    UnusableFile,
    check_columns,
    is_example,
    read_csv,
    read_table,
)
from cli.importers.reasons import described, in_file_terms, report_field
from cli.provenance import source_headers
from shared.errors import BaqylauError

Rows = list[dict[str, Any]]
AGAIN = "run the same command again when it is fixed: nothing is stored twice"


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    examples: list[int] = field(default_factory=list)  # rows of the template's example

    def add(self, line: dict[str, Any]) -> None:
        self.counts[line["outcome"]] += 1
        if line["outcome"] == "rejected":
            self.rejected.append(line)

    def merge(self, counts: dict[str, int], rejected: list[dict[str, Any]]) -> None:
        self.counts.update(counts)
        self.rejected += rejected

    def reject_all(self, rows: list[dict[str, Any]], exc: BaqylauError) -> None:
        """A bulk call refused as a whole (its school or course): each of its rows, so."""
        self.merge({"rejected": len(rows)}, [
            {"row": r["row"], "outcome": "rejected", "errors": exc.errors} for r in rows])

    def summary(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.counts.items()))

    def problems(self) -> Iterator[tuple[int, str, str]]:
        """(row, column, reason) for every reason a row was rejected; a rule about the
        whole row has the column `_schema` (reasons.WHOLE_ROW)."""
        for line in self.rejected:
            for name, reasons in sorted(in_file_terms(line["errors"]).items()):
                for reason in reasons:
                    yield line["row"], name, reason

    def lines(self) -> Iterator[str]:
        """The report as printed, row by row, the example rows first."""
        for row in self.examples:
            yield f"row {row}: the template's example row, skipped"
        for problem in self.problems():
            yield described(*problem)


def write_report(report: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "reason"])
        writer.writerows((row, report_field(name), reason)
                         for row, name, reason in report.problems())


def read_usable(path: Path, read: Callable[[Path], tuple[Rows, list[str]]],
                example: dict[str, str] | None = None) -> tuple[Rows, list[str], list[int]]:
    """The file's rows to send, the columns not sent and the numbers of the rows that are
    the template's `example`; an unusable file stops the command (exit 2) before anything
    is sent."""
    try:
        rows, ignored = read(path)
    except UnusableFile as exc:
        fail(str(exc), exc.todo)
    except csv.Error as exc:
        fail(f"{path}: not a CSV file ({exc})", "save it as UTF-8 CSV or XLSX")
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}", "check the file's name and that you may read it")
    examples = [row["row"] for row in rows if example and is_example(row, example)]
    rows = [row for row in rows if row["row"] not in examples]
    if not rows:
        fail(f"{path}: no rows under the header" + (
            " but the template's example" if examples else ""), "add one row per record under it")
    return rows, ignored, examples


def run_import(path: Path, report_path: Path | None,
               read: Callable[[Path], tuple[Rows, list[str]]],
               send: Callable[[Any, Rows, str], ImportReport],
               shown: int | None = 50,
               check: Callable[[Any], None] | None = None,
               example: dict[str, str] | None = None) -> int:
    """Read `path` (an unusable file fails before any call), `check(rpc)` what the whole
    file belongs to, `send(rpc, rows, label)` over RPC, every call naming the file (its name
    and SHA-256, kept on every event it stores), print the summary, the columns not sent
    and the first `shown` report lines (all with None), write the rejected rows to
    `report_path`. Returns 0 all accepted, 1 some rejected; stops with 2 (cli.errors.fail)
    for an unusable file or platform."""
    rows, ignored, examples = read_usable(path, read, example)
    try:
        with cluster(headers=source_headers(path)) as rpc:
            if check:
                check(rpc)
            report = send(rpc, rows, path.name[:22])
    except BaqylauError as exc:
        fail(f"the import stopped: {exc.message}", AGAIN)
    report.ignored_columns, report.examples = ignored, examples
    print(report.summary())
    if ignored:
        print(f"columns not sent: {', '.join(ignored)}")
    for line in list(report.lines())[:shown]:
        print(f"  {line}")
    if report_path:
        write_report(report, report_path)
    return 1 if report.rejected else 0
