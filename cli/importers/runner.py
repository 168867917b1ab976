"""The parts every bulk import shares: reading a CSV or XLSX export (only the columns it
knows, each row with its line number), reporting counts by outcome and, per rejected row,
field and reason, and the run itself from file to exit status."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from cli.connect import cluster
from cli.provenance import source_headers
from shared.errors import BaqylauError


class UnusableFile(Exception):
    pass


def read_csv(path: Path, required: Sequence[str],
             optional: Sequence[str] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """The file's rows, reduced to the known columns, each with its line number as "row",
    and the columns left out (never sent: an export may carry people's names). A file
    without every required column is refused before anything is sent."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        check_columns(path, header, required)
        known = {*required, *optional}
        rows = [{**{k.strip(): v for k, v in raw.items() if k and k.strip() in known},
                 "row": reader.line_num} for raw in reader]
    return rows, [name for name in header if name not in known]


def check_columns(path: Path, header: Sequence[str], required: Sequence[str]) -> None:
    """Refuse a file without every required column, naming them and what the file has (a
    misspelt header is then plain to see)."""
    missing = [name for name in required if name not in header]
    if missing:
        has = ", ".join(name for name in header if name) or "none"
        raise UnusableFile(f"{path}: missing column(s) {', '.join(missing)} "
                           f"(the file's columns: {has})")


def read_table(path: Path, required: Sequence[str],
               optional: Sequence[str] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """`read_csv` for a CSV file, and the same for an XLSX workbook's first sheet (row =
    the sheet's row number; dates and numbers become the text a CSV would carry)."""
    if path.suffix.lower() != ".xlsx":
        return read_csv(path, required, optional)
    from openpyxl import load_workbook  # only XLSX imports need it

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl errors: not a workbook
        raise UnusableFile(f"{path}: not a readable XLSX workbook ({exc})") from None
    lines = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(lines, ())]
    check_columns(path, header, required)
    known = {*required, *optional}
    rows = []
    for number, values in enumerate(lines, start=2):
        if all(v is None for v in values):
            continue
        cells = {name: _text(value) for name, value in zip(header, values, strict=False)
                 if name in known}
        rows.append({**cells, "row": number})
    return rows, [name for name in header if name and name not in known]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # a datetime cell
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

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
        """(row, field, reason) for every reason a row was rejected."""
        for line in self.rejected:
            for name, reasons in sorted(line["errors"].items()):
                for reason in reasons if isinstance(reasons, list) else [reasons]:
                    yield line["row"], name, str(reason)


def write_report(report: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "reason"])
        writer.writerows(report.problems())


Rows = list[dict[str, Any]]


def run_import(path: Path, report_path: Path | None,
               read: Callable[[Path], tuple[Rows, list[str]]],
               send: Callable[[Any, Rows, str], ImportReport],
               shown: int | None = 50) -> int:
    """Read `path` (an unusable file fails before any call), `send(rpc, rows, label)` over
    RPC, every call naming the file (its name and SHA-256, kept on every event it stores),
    print the summary, the columns not sent and the first `shown` problems (all with
    None), write the rejected rows to `report_path`. Exit status: 0 all accepted, 1 some
    rejected, 2 unusable file or platform."""
    try:
        rows, ignored = read(path)
        if not rows:
            raise UnusableFile(f"{path}: no rows under the header")
        with cluster(headers=source_headers(path)) as rpc:
            report = send(rpc, rows, path.name[:22])
    except UnicodeDecodeError as exc:
        print(f"cannot import: {path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
              f"offset {exc.start}); save it as CSV UTF-8 or XLSX", file=sys.stderr)
        return 2
    except csv.Error as exc:
        print(f"cannot import: {path}: not a CSV file ({exc})", file=sys.stderr)
        return 2
    except (UnusableFile, BaqylauError, OSError) as exc:
        print(f"cannot import: {exc}", file=sys.stderr)
        return 2
    report.ignored_columns = ignored
    print(report.summary())
    if ignored:
        print(f"columns not sent: {', '.join(ignored)}")
    for row, name, reason in list(report.problems())[:shown]:
        print(f"  row {row}: {name}: {reason}")
    if report_path:
        write_report(report, report_path)
    return 1 if report.rejected else 0
