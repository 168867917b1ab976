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


# Learning outcomes flattened for a sheet: an interval's bounds as two columns.
_ROUND = ("pupils", "schools", "mean", "mean_low", "mean_high", "share")
_MATCHED = ("matched_pupils", "matched_schools", "gain", "gain_low", "gain_high",
            "effect_size_d", "effect_size_d_low", "effect_size_d_high",
            "difference_in_differences", "difference_in_differences_low",
            "difference_in_differences_high")
_NAMES = ("district_name_kk", "district_name_ru", "district_name_en")  # of a district split
OUTCOME_COLUMNS = ["baseline_round_id", "endline_round_id", "grade", "subject", "max_score",
                   "threshold", "split", *_NAMES,
                   *[f"{phase}_{name}" for phase in ("baseline", "endline") for name in _ROUND],
                   *_MATCHED]


def _bounds(interval: list[str] | None) -> list[str | None]:
    return list(interval) if interval else [None, None]


def outcome_rows(outcomes: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for o in outcomes:
        row = [o["baseline_round_id"], o["endline_round_id"], o["grade"], o["subject"],
               o.get("max_score"), o.get("threshold"), o["split"],
               *(o.get(name) for name in _NAMES)]
        for phase in ("baseline", "endline"):
            figures = o.get(phase) or {}
            row += [figures.get("pupils"), figures.get("schools"), figures.get("mean"),
                    *_bounds(figures.get("mean_ci")),
                    figures.get("share_at_or_above_threshold")]
        row += [o.get("matched_pupils"), o.get("matched_schools"), o.get("gain"),
                *_bounds(o.get("gain_ci")), o.get("effect_size_d"),
                *_bounds(o.get("effect_size_d_ci")), o.get("difference_in_differences"),
                *_bounds(o.get("difference_in_differences_ci"))]
        rows.append(row)
    return rows
