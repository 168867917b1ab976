"""What an XLSX template tells the spreadsheet about each column, read from the same
marshmallow field the service validates the column with: its cells' format (text stays
text, so a BIN or KATO code keeps its leading zero; dates are dates) and a data
validation (a drop-down list of the allowed values, a date, a number in its range, a text
no longer than its limit), with the rule in words as the message Excel shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from marshmallow import fields, validate
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

PREPARED_ROWS = 1000  # rows below the header formatted for typing into
EXCEL_ROWS = 1_048_576  # a sheet's last row: validations hold down to it
TEXT, DATE, WHOLE = "@", "yyyy-mm-dd", "0"
INLINE_LIST_LIMIT = 255  # Excel's limit on a list typed into the validation itself
LISTS_SHEET = "lists"
MESSAGE_LIMIT = 255  # Excel's limit on a validation's message


def _rules(field: fields.Field) -> list[Any]:
    return list(field.validators)


def cell_format(field: fields.Field) -> str:
    """Text for every column the schema reads as a string (ids, BIN, KATO, codes, names):
    in the General format Excel turns 010140012345 into a number and drops the zero."""
    if isinstance(field, fields.Date):
        return DATE
    if isinstance(field, fields.Integer):
        return WHOLE
    if isinstance(field, fields.Number):
        return "General"
    return TEXT


def choices(field: fields.Field) -> list[str]:
    """The values a drop-down offers: the schema's OneOf, or yes/no for a Boolean."""
    for rule in _rules(field):
        if isinstance(rule, validate.OneOf):
            return [str(choice) for choice in rule.choices]
    return ["yes", "no"] if isinstance(field, fields.Boolean) else []


def _bounds(field: fields.Field) -> tuple[Any, Any]:
    for rule in _rules(field):
        if isinstance(rule, (validate.Range, validate.Length)):
            return rule.min, rule.max
    return None, None


def _compare(kind: str, low: Any, high: Any) -> DataValidation | None:
    """A whole/decimal/textLength validation for whichever of the bounds is set."""
    if low is not None and high is not None:
        return DataValidation(type=kind, operator="between", formula1=str(low),
                              formula2=str(high))
    if low is not None:
        return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low))
    if high is not None:
        return DataValidation(type=kind, operator="lessThanOrEqual", formula1=str(high))
    return None


class ListSheet:
    """A hidden sheet for the lists too long to type into a validation (or whose values
    hold a comma, which an inline list would split): one column per list."""

    def __init__(self, book: Any) -> None:
        self.book, self.sheet, self.used = book, None, 0

    def source(self, values: list[str]) -> str:
        inline = ",".join(values)
        if len(inline) <= INLINE_LIST_LIMIT and not any(',' in v or '"' in v for v in values):
            return f'"{inline}"'
        if self.sheet is None:
            self.sheet = self.book.create_sheet(LISTS_SHEET)
            self.sheet.sheet_state = "hidden"
        self.used += 1
        column = get_column_letter(self.used)
        for number, value in enumerate(values, start=1):
            self.sheet[f"{column}{number}"] = value
        return f"{quote_sheetname(LISTS_SHEET)}!${column}$1:${column}${len(values)}"


def validation(field: fields.Field, lists: ListSheet) -> DataValidation | None:
    """The data validation that states the field's rule to the spreadsheet, if it has one
    a spreadsheet can check."""
    allowed = choices(field)
    if allowed:
        return DataValidation(type="list", formula1=lists.source(allowed))
    if isinstance(field, fields.Date):
        # any date at all: Excel's date validation needs a bound; its day 1 is 1900-01-01
        return DataValidation(type="date", operator="greaterThanOrEqual", formula1="1")
    low, high = _bounds(field)
    if isinstance(field, fields.Integer):
        return _compare("whole", low, high)
    if isinstance(field, fields.Number):
        return _compare("decimal", low, high)
    if isinstance(field, fields.String):
        return _compare("textLength", None, high)
    return None


def typed(field: fields.Field, text: str) -> Any:
    """The example's cell as the spreadsheet would hold it once typed: a date, a number,
    else the text (the import reads each back as the text a CSV would carry)."""
    if not text:
        return None
    if isinstance(field, fields.Date):
        return dt.date.fromisoformat(text)
    if isinstance(field, fields.Integer):
        return int(text)
    if isinstance(field, fields.Number):
        return Decimal(text)
    return text


def prepare_column(sheet: Worksheet, index: int, name: str, field: fields.Field,
                   message: str, lists: ListSheet) -> None:
    """Format the column's cells under the header and attach its validation."""
    letter = get_column_letter(index)
    number_format = cell_format(field)
    for row in range(2, PREPARED_ROWS + 2):
        sheet.cell(row=row, column=index).number_format = number_format
    # And the column's own style, which Excel gives every cell typed below those rows: a
    # regional file of more schools than that keeps its BINs' leading zeros too.
    sheet.column_dimensions[letter].number_format = number_format
    rule = validation(field, lists)
    if rule is None:
        return
    rule.allow_blank = True  # an optional column may stay empty; the import says if not
    rule.error = rule.prompt = message[:MESSAGE_LIMIT]
    rule.errorTitle = rule.promptTitle = name[:32]  # Excel's limit on a title
    rule.showErrorMessage = rule.showInputMessage = True
    rule.add(f"{letter}2:{letter}{EXCEL_ROWS}")  # the whole column under the header
    sheet.add_data_validation(rule)
