"""The two sheets of an XLSX template: the rows sheet the import reads (the header, the
example row marked as such, every column prepared as its field wants) and the "columns"
sheet that explains each column in words."""

from __future__ import annotations

from typing import Any

from marshmallow.fields import Field
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from cli.template_examples import EXAMPLE_NOTE
from cli.template_sheet import ListSheet, prepare_column, typed

__all__ = ["ListSheet", "fill_guide_sheet", "fill_rows_sheet"]

HEADER = Font(bold=True)
EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_FILL = PatternFill("solid", start_color="F2F2F2")


def _width(*texts: Any) -> int:
    return min(max(12, *(len(str(t)) + 2 for t in texts)), 48)


def _in_words(line: dict[str, str]) -> str:
    """The column's rule as the guide states it, for the message the spreadsheet shows."""
    allowed = f"; one of: {line['allowed']}" if line["allowed"] else ""
    note = f" — {line['note']}" if line["note"] else ""
    return f"{line['required']}: {line['holds']}{allowed}{note}"


def fill_rows_sheet(sheet: Worksheet, title: str, contract: dict[str, Field],
                    lines: list[dict[str, str]], lists: ListSheet) -> None:
    """The first sheet, the one the import reads: header, example row, prepared columns."""
    sheet.title = title
    sheet.append([line["column"] for line in lines])
    sheet.append([typed(contract[line["column"]], line["example"]) for line in lines])
    for index, line in enumerate(lines, start=1):
        name = line["column"]
        prepare_column(sheet, index, name, contract[name], _in_words(line), lists)
        sheet.cell(row=1, column=index).font = HEADER
        example = sheet.cell(row=2, column=index)
        example.font, example.fill = EXAMPLE_FONT, EXAMPLE_FILL
        sheet.column_dimensions[example.column_letter].width = _width(name, line["example"])
    sheet["A2"].comment = Comment(f"This row is {EXAMPLE_NOTE}.", "baqylau", width=300,
                                  height=80)
    sheet.freeze_panes = "A2"


def fill_guide_sheet(sheet: Worksheet, lines: list[dict[str, str]]) -> None:
    """The "columns" sheet: one line per column, then what the example row is."""
    sheet.append(list(lines[0]))
    for line in lines:
        sheet.append(list(line.values()))
    sheet.append([])
    sheet.append([f"Row 2 of the first sheet is {EXAMPLE_NOTE}."])
    for cell in sheet[1]:
        cell.font = HEADER
    for index, name in enumerate(lines[0], start=1):
        widest = max((line[name] for line in lines), key=len)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = \
            _width(name, widest)
