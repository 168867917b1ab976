"""What a bulk import reports: counts by outcome and, per rejected row, field and reason."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


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
