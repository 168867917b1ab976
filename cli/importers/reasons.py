"""A rejected row's reasons in the file's terms. A service answers with its command's field
map, which may nest (a training row's sessions: {"sessions": {"0": {"attended_on": [...]}}})
and names a rule about the whole row `_schema`; the operator's file knows neither. Every
kind of import maps its replies through `in_file_terms`, and the report tells a whole-row
reason as the row's own (`row 7: <reason>`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

WHOLE_ROW = "_schema"  # marshmallow's (and shared/errors.py's) key for the payload as a whole


def in_file_terms(errors: Mapping[str, Any],
                  renames: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """{column: [reason, ...]}: each reason under the innermost field that names it (a list
    index or a nested `_schema` names nothing: its parent does), renamed where the file calls
    that field otherwise, and told once however many fields repeat it."""
    renames = renames or {}
    flat: dict[str, list[str]] = {}
    for name, reason in _leaves(errors, WHOLE_ROW):
        reasons = flat.setdefault(renames.get(name, name), [])
        if reason not in reasons:
            reasons.append(reason)
    return flat


def _leaves(value: Any, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            key = str(key)
            yield from _leaves(inner, name if key.isdigit() or key == WHOLE_ROW else key)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item, name)
    else:
        yield name, str(value)


def described(row: int, column: str, reason: str) -> str:
    """One line of the report: `row 7: attended_on: Not a valid date.`, or for a rule about
    the whole row `row 4: <reason>`."""
    return f"row {row}: {reason}" if column in (WHOLE_ROW, "") else \
        f"row {row}: {column}: {reason}"


def report_field(column: str) -> str:
    """The --report CSV's field: the column, or empty for the whole row."""
    return "" if column == WHOLE_ROW else column
