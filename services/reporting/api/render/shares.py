"""Shares as a funder reads them: one decimal, and never rounded to a whole that was not
reached. 10,486 of 10,500 pupils is 99.9 %, not 100 %: a funder reads "100 %" as "all", and
one pupil in a thousand missing is still missing. Likewise a share above nothing never shows
as 0 %. Every share and percentage on the dashboard goes through `percent`."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

TENTH = Decimal("0.1")
HIGHEST_BELOW_WHOLE, LOWEST_ABOVE_NOTHING = Decimal("99.9"), Decimal("0.1")


def exact(value: Any) -> Fraction | None:
    """A number as the JSON writes it ("70.0", 480, "0.667") without float's error."""
    if value is None or value == "":
        return None
    return Fraction(Decimal(str(value)))


def percent_value(part: Any, whole: Any) -> Decimal | None:
    """part / whole in per cent to 0.1, kept below 100 when part is below whole and above 0
    when part is above nothing (and the same for a negative share); None when there is
    nothing to divide."""
    part_, whole_ = exact(part), exact(whole)
    if part_ is None or not whole_:
        return None
    ratio = part_ / whole_
    shown = (Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)).quantize(
        TENTH, ROUND_HALF_EVEN)
    if 0 < ratio < 1:
        return min(max(shown, LOWEST_ABOVE_NOTHING), HIGHEST_BELOW_WHOLE)
    if -1 < ratio < 0:
        return max(min(shown, -LOWEST_ABOVE_NOTHING), -HIGHEST_BELOW_WHOLE)
    return shown


def percent(part: Any, whole: Any) -> str:
    """"99.9 %" (a narrow no-break space before the sign, as kk/ru/en print it); — when
    there is nothing to divide."""
    value = percent_value(part, whole)
    return "—" if value is None else f"{value}\u202f%"


def of_ratio(ratio: Any) -> str:
    """A share the report gives as a ratio ("0.999"), in per cent by the same rule."""
    return percent(ratio, 1)


def plain(value: Any) -> str:
    """A decimal without its trailing zeros: 10.0 -> 10, 9.50 -> 9.5 (points of a share)."""
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
