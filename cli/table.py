"""Plain text tables: a header, a rule, the rows; columns as wide as their widest cell."""

from __future__ import annotations

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
    """An ISO timestamp to the minute, UTC as stored; "never" for none."""
    if not value:
        return "never"
    return value.replace("T", " ")[:16]
