"""Text a spreadsheet shows as text, never runs: funders open the CSV and XLSX exports in
Excel or LibreOffice, and an organisation named `=HYPERLINK(...)` must not become a formula.

CSV has no types, so a text cell that a spreadsheet would read as a formula (it starts with
= + - @, a tab or a carriage return) is prefixed with an apostrophe, as OWASP recommends.
Numbers are left alone, also when the JSON report writes them as text for exactness: a
negative gain ("-0.25") is a number, not a formula.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_cell(value: Any) -> Any:
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not PLAIN_NUMBER.match(value)):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]
