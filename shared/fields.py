"""Marshmallow fields shared by every service's contracts."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

# Opaque identifiers for people, schools and programmes. The pattern refuses spaces and
# Cyrillic letters on purpose: a name typed where an id belongs is rejected at the edge.
OPAQUE_ID = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
    error="Must be an opaque id (1-64 of A-Z a-z 0-9 . _ : -), never a person's name.")


def Ref(**kwargs: object) -> fields.String:  # noqa: N802 - reads like a field class
    return fields.String(validate=OPAQUE_ID, **kwargs)  # type: ignore[arg-type]


# Control characters (NUL above all: PostgreSQL text cannot hold it, so one would poison
# every read model that projects the event) are never part of a name, a title or a reason.
NO_CONTROL_CHARACTERS = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]*$",
    error="Must not contain control characters (such as NUL).")


def Text(max_length: int = 300, **kwargs: object) -> fields.String:  # noqa: N802
    return fields.String(validate=[validate.Length(min=1, max=max_length),  # type: ignore[arg-type]
                                   NO_CONTROL_CHARACTERS], **kwargs)


def _school_year(value: str) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{4})", value)
    if not match or int(match[2]) != int(match[1]) + 1 or not 2000 <= int(match[1]) <= 2100:
        raise ValidationError("Must be a school year such as 2024-2025.")


def SchoolYear(**kwargs: object) -> fields.String:  # noqa: N802 - reads like a field class
    return fields.String(validate=_school_year, **kwargs)  # type: ignore[arg-type]
