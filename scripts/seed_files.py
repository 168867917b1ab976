"""Where `make demo` writes the files the seed systems would export, and how: CSV with a
header row, or an XLSX workbook's first sheet."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

SEED_DIR = Path(".stack/seed")


def write_csv(rows: list[dict[str, Any]], columns: list[str], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(rows: list[dict[str, Any]], columns: list[str], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row[c] or None for c in columns])  # an empty cell, as exports leave it
    book.save(path)
    return path
