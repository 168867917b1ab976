"""What one entry of the catalogue is (catalogue.py lists them): an indicator with the SQL
of its count, the events behind it and the reconciliation's own count from the logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from services.reporting.figures.fold import Fold

Count = Callable[[Fold, str], int]


@dataclass(frozen=True)
class Indicator:
    name: str
    labels: dict[str, str]  # kk, ru, en
    actual: str = ""  # SQL of the count; empty for a percentage
    events: str = ""  # SQL of the events behind the count
    count: Count | None = None  # the reconciliation's own count from the logs
    measure: str = "unit"
    parts: tuple[str, str] | None = None  # a percentage's numerator and denominator
    targetable: bool = True  # False: only ever a part of another
