"""Reading an import file as a spreadsheet writes it: CSV with a comma, semicolon (Excel in
Russian and Kazakh locales) or tab between cells, UTF-8 with or without BOM, or an XLSX
workbook's first sheet. Only the columns an import knows are kept, each row with its line
number as "row"; a file that cannot be used is refused, saying why and what to do, before
anything is sent."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Sequence

SEPARATORS = ",;\t"
# A template's example row (cli/templates.py): its first cell starts so, and it is skipped.
EXAMPLE_MARK = "EXAMPLE"
SAVE_AS_UTF8 = 'save it as UTF-8 CSV (Excel: Save As, "CSV UTF-8") or as XLSX'

Rows = list[dict[str, Any]]


class UnusableFile(Exception):
    """A file nothing can be imported from: `str()` says what, `todo` what to do."""

    def __init__(self, what: str, todo: str | None = None) -> None:
        super().__init__(what)
        self.todo = todo


def read_table(path: Path, required: Sequence[str],
               optional: Sequence[str] = ()) -> tuple[Rows, list[str]]:
    """`read_csv` for a CSV file, and the same for an XLSX workbook's first sheet (row =
    the sheet's row number; dates and numbers become the text a CSV would carry)."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path, required, optional)
    return read_csv(path, required, optional)


def read_csv(path: Path, required: Sequence[str],
             optional: Sequence[str] = ()) -> tuple[Rows, list[str]]:
    """The file's rows, reduced to the known columns, each with its line number as "row",
    and the columns left out (never sent: an export may carry people's names). A file
    without every required column is refused before anything is sent."""
    text = decoded(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=separator_of(text, required))
    header = [name.strip() for name in reader.fieldnames or []]
    check_columns(path, header, required)
    known = {*required, *optional}
    rows = [{**{k.strip(): v or "" for k, v in raw.items() if k and k.strip() in known},
             "row": reader.line_num} for raw in reader]
    return [row for row in rows if not blank(row)], [name for name in header
                                                     if name not in known]


def decoded(path: Path) -> str:
    """The file's text: UTF-8, a BOM dropped. Anything else is refused naming what it most
    likely is, as the operator's remedy is the same (save it again as UTF-8)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableFile(f"{path}: not UTF-8 text ({likely_encoding(data, exc)})",
                           SAVE_AS_UTF8) from None


def likely_encoding(data: bytes, exc: UnicodeDecodeError) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16, as Excel's \"Unicode Text\" writes it"
    if _reads_as_windows_1251(data):
        return "it looks like Windows-1251 (cp1251), the older Cyrillic encoding"
    return f"byte {exc.object[exc.start]:#04x} at offset {exc.start}"


def _reads_as_windows_1251(data: bytes) -> bool:
    """Plain Cyrillic text in cp1251: every byte a letter, a digit, punctuation or a line
    break once decoded; a binary file or another encoding leaves control characters."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def separator_of(text: str, required: Sequence[str] = ()) -> str:
    """The cell separator: of comma, semicolon and tab, the one with which the header line
    names every required column (a quoted extra column may hold the others, "Фамилия, имя,
    отчество"); failing that, the one the header has most of; comma if none."""
    header = text.split("\n", 1)[0]
    for sep in SEPARATORS:
        names = {name.strip() for name in next(csv.reader([header], delimiter=sep), [])}
        if required and set(required) <= names:
            return sep
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def check_columns(path: Path, header: Sequence[str], required: Sequence[str]) -> None:
    """Refuse a file without every required column, naming them and what the file has (a
    misspelt header is then plain to see)."""
    missing = [name for name in required if name not in header]
    if missing:
        has = ", ".join(name for name in header if name) or "none"
        raise UnusableFile(f"{path}: missing column(s) {', '.join(missing)} "
                           f"(the file's columns: {has})",
                           "name the columns as `baqylau template` writes them")


def read_xlsx(path: Path, required: Sequence[str],
              optional: Sequence[str] = ()) -> tuple[Rows, list[str]]:
    from openpyxl import load_workbook  # only XLSX imports need it

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except OSError:
        raise  # a missing or unreadable file: said as such
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl errors: not a workbook
        raise UnusableFile(f"{path}: not a readable XLSX workbook ({exc})",
                           "open it in a spreadsheet and save it as XLSX or UTF-8 CSV"
                           ) from None
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
        if not blank(cells):
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


def is_example(row: dict[str, Any], example: dict[str, str]) -> bool:
    """The template's example row: the cell of the template's first column is the example's
    own (`EXAMPLE-…`, exactly), so a real row whose id or title merely begins with
    "example" is sent like any other."""
    first = next(iter(example), None)
    return first is not None and str(row.get(first, "")).strip() == example[first]


def blank(row: dict[str, Any]) -> bool:
    """A row with nothing in it: a spreadsheet writes `;;;;` for a cleared or formatted
    line, and a formula may give "" down the template's prepared rows."""
    return all(not str(value).strip() for name, value in row.items() if name != "row")
