"""An import's progress bar: on standard error, and only when that is a terminal, so a
report redirected to a file (or read by a script) holds the report and nothing else."""

from __future__ import annotations

import sys
from typing import Any, Iterable

from tqdm import tqdm


def progress(rows: Iterable[Any] | None = None, *, label: str, total: int | None = None,
             unit: str = "row") -> tqdm:
    """tqdm over `rows` (or, with `total`, updated by hand), labelled with the file."""
    return tqdm(rows, total=total, desc=f"{label:<22}", unit=unit, file=sys.stderr,
                disable=not sys.stderr.isatty())
