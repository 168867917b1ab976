"""Plain text tables: a header, a rule, the rows; columns as wide as their widest cell, so an
id is never cut (a long one widens its column)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Sequence


def table(lines: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows under their column names; "" when there are none (the caller says so)."""
    if not lines:
        return ""
    cells = [[str(line.get(name, "")) for name in columns] for line in lines]
    widths = [max(len(name), *(len(row[i]) for row in cells)) for i, name in enumerate(columns)]
    out = ["  ".join(name.ljust(w) for name, w in zip(columns, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in cells]
    return "\n".join(out)


def moment(value: str | None) -> str:
    """An ISO 8601 timestamp in UTC to the second, marked `Z` (2024-09-10T05:12:33Z); "never"
    for none. UTC, not the reader's +05:00: the same instant prints the same whatever the
    database's or the terminal's time zone, and reads against the services' logs and the
    API's times, which are UTC. A time stored without an offset is UTC."""
    if not value:
        return "never"
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
