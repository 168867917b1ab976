"""The KATO classifier file as the Bureau of National Statistics publishes it (XLSX, one
row per object): te (the 9-digit code), ab, cd, ef, hij (its parts), k (the level),
name_kaz, name_rus; our extract adds an optional name_en. Each row is validated here, at the
registry's edge, so every bad row is named with its field and reason."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from shared.fields import Text

MAX_IMPORT_ROWS = 500
# Where each part sits in the 9-digit code: AB CD EF HIJ.
PARTS = {"ab": (0, 2), "cd": (2, 4), "ef": (4, 6), "hij": (6, 9)}


def _digits(length: int) -> validate.Regexp:
    return validate.Regexp(rf"^[0-9]{{{length}}}$", error=f"Must be exactly {length} digits.")


class KatoRow(Schema):
    class Meta:
        unknown = RAISE

    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    te = fields.String(required=True, validate=_digits(9))
    ab = fields.String(required=True, validate=_digits(2))
    cd = fields.String(required=True, validate=_digits(2))
    ef = fields.String(required=True, validate=_digits(2))
    hij = fields.String(required=True, validate=_digits(3))
    k = fields.Integer(required=True, validate=validate.Range(0, 9))
    name_kaz = Text(required=True)
    name_rus = Text(required=True)
    name_en = Text(load_default=None, allow_none=True)

    @pre_load
    def empty_cells_are_missing(self, row: Any, **_: Any) -> Any:
        if not isinstance(row, dict):
            return row
        cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in row.items()}
        return {k: v for k, v in cleaned.items() if v != ""}

    @validates_schema
    def parts_agree_with_the_code(self, data: dict[str, Any], **_: Any) -> None:
        """A part that disagrees with te means a shifted or mistyped cell: refuse the row
        rather than guess which of the two is right."""
        code = data.get("te")
        if code is None:
            return
        for name, (start, end) in PARTS.items():
            if name in data and data[name] != code[start:end]:
                raise ValidationError(
                    f"Is {data[name]}, but te {code} has {code[start:end]} there.", name)
        if code[:2] == "00":
            raise ValidationError("No region has code 00.", "ab")


class ImportKato(Schema):
    class Meta:
        unknown = RAISE

    rows = fields.List(fields.Dict(), required=True,
                       validate=validate.Length(min=1, max=MAX_IMPORT_ROWS))
