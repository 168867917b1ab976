"""Loading payloads at the edge: marshmallow errors become InvalidInput naming each field."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from shared.contracts import compiled
from shared.errors import invalid


def load(schema: Schema, payload: Any) -> Any:
    """Validate and deserialize `payload`, or raise InvalidInput with per-field reasons."""
    if not isinstance(payload, dict) and not schema.many:
        raise invalid({"_schema": ["Expected an object of named fields."]})
    try:
        return compiled.load(schema, payload)  # marshmallow's load, compiled (same answers)
    except ValidationError as exc:
        raise invalid(exc.normalized_messages()) from None
