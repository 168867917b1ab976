"""How a share is written: to a step, never rounded up to the whole while short of it, nor
down to zero while above it (nor, below zero, the same way back): 10,499 of 10,500 is
99.9 %, not a target met; 1 of 10,500 is 0.1 %, not nothing. One rule for the per cent of
a percentage indicator and for the ratios beside a target (share reached, progress from
the baseline)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

PER_CENT = (Decimal(100), Decimal("0.1"))
RATIO = (Decimal(1), Decimal("0.001"))


def share(numerator: int | Decimal, denominator: int | Decimal,
          whole: Decimal, step: Decimal) -> Decimal | None:
    """numerator / denominator in units where `whole` is all of it, to `step`, half-even;
    None when there is nothing to divide. Which side of the whole and of zero the share
    is on is read from the exact numbers, never from a rounded quotient."""
    if not denominator:
        return None
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    if denominator < 0:  # a target below its baseline: the way goes down
        numerator, denominator = -numerator, -denominator
    shown = (numerator * whole / denominator).quantize(step, ROUND_HALF_EVEN)
    if 0 < numerator < denominator:
        return min(max(shown, step), whole - step)
    if -denominator < numerator < 0:  # the same on the way back below a baseline
        return max(min(shown, -step), step - whole)
    return shown
