"""Kazakhstan's BIN (business identification number): layout and check digit.

python-stdnum 2.2, the newest release, has no `kz` module (its draft `kz.bin` checks the
layout but not the check digit), so this small module does both. The check digit is the
one BIN and IIN share: a weighted sum of the first 11 digits modulo 11 with weights 1..11;
if that gives 10, a second pass with weights 3..11, 1, 2; a second 10 means the serial
number is never issued.
"""

from __future__ import annotations

FIRST_WEIGHTS = tuple(range(1, 12))
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
ENTITY_TYPES = "456"      # resident, non-resident legal entity, individual entrepreneur
ENTITY_ATTRIBUTES = "0123"  # head office, branch, representation, peasant farm


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11 digits, or None if no valid BIN starts with them."""
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def problem(number: str) -> str | None:
    """Why `number` is not a well-formed BIN, or None if it is."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return "Must be exactly 12 digits."
    if not 1 <= int(number[2:4]) <= 12:
        return "Digits 3-4 must be a registration month (01-12)."
    if number[4] not in ENTITY_TYPES:
        return "Digit 5 must be an entity type (4, 5 or 6)."
    if number[5] not in ENTITY_ATTRIBUTES:
        return "Digit 6 must be an entity attribute (0-3)."
    if check_digit(number[:11]) != int(number[11]):
        return "Check digit does not match; the BIN is mistyped."
    return None
