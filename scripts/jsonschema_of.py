"""marshmallow schemas as JSON Schema (draft 07, the dialect of AsyncAPI 2.6), as the values
really travel: decimals as strings, dates and UUIDs as formatted strings, nullable fields as
`["string", "null"]`.

Written here because no maintained converter supports marshmallow 4 (marshmallow-jsonschema
stops at 3; apispec emits OpenAPI 3.0, whose `nullable` JSON Schema validators ignore).

Two directions, because a schema means different things at each edge:
- `load` (a command's arguments): `required` as the schema says; `load_default`s shown.
- `dump` (an event's data, a reply): marshmallow writes every declared field, so every field
  is required; a field that may be null says so.
Both state every validator the field runs that JSON Schema can state (OneOf, Equal, Regexp,
Length, Range); a decimal's Range and a plain function are put in words.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from marshmallow import INCLUDE, Schema, fields, validate

# The decimals' text as the code writes it: every Decimal a command takes has `places`, so
# it is quantized and never reaches an event or reply in exponent form.
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
DECIMAL_NOTE = "A decimal number as a JSON string (\"2.5\"), never a JSON number."

# Validators that are plain functions: what each checks, as far as JSON Schema can say it.
# Keyed by the function's module and name (a closure is looked through to the function it
# wraps); one not here is described by its docstring's first line.
CUSTOM = {
    "shared.fields._school_year": {
        "pattern": r"^[0-9]{4}-[0-9]{4}$",
        "description": "A school year such as 2024-2025 (the second year is the first + 1)."},
    "shared.kz_bin.problem": {
        "pattern": r"^[0-9]{12}$",
        "description": "A BIN: 12 digits, a registration month, entity type and attribute, "
                       "and a check digit that matches."},
    "services.registry.kato.problem": {
        "pattern": r"^[0-9]{9}$",
        "description": "A settlement's KATO code: 9 digits naming a known region and "
                       "district (digits 3-4 not 00)."},
}


def schema_of(schema: Schema | type[Schema], mode: str) -> dict[str, Any]:
    """The JSON Schema of a whole marshmallow schema, for `mode` "load" or "dump"."""
    instance = schema() if isinstance(schema, type) else schema
    properties, required = {}, []
    for name, field in instance.fields.items():
        if (field.load_only and mode == "dump") or (field.dump_only and mode == "load"):
            continue
        key = field.data_key or name
        properties[key] = field_schema(field, mode)
        if field.required or mode == "dump":
            required.append(key)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    if mode == "dump" or instance.unknown != INCLUDE:  # RAISE refuses, EXCLUDE drops
        out["additionalProperties"] = False
    doc = _first_paragraph(type(instance).__doc__)
    if doc:
        out["description"] = doc
    return out


def field_schema(field: fields.Field, mode: str) -> dict[str, Any]:
    out = _typed(field, mode)
    # Validators run on load only; a dumped event was loaded by its contract first, so they
    # hold for its data too (a view has none).
    for validator in field.validators:
        _apply(validator, out)
    if mode == "load":
        default = field.load_default
        if not callable(default) and default is not fields.missing_ and _jsonable(default):
            out["default"] = default if not hasattr(default, "isoformat") else str(default)
    description = field.metadata.get("description")
    if description:
        out["description"] = (out.get("description", "") + " " + description).strip()
    if field.allow_none:
        out = _nullable(out)
    return out


def _typed(field: fields.Field, mode: str) -> dict[str, Any]:
    for kind, make in TYPES:
        if isinstance(field, kind):
            return make(field, mode)
    return {}  # Raw, Function, Method: any JSON value


def _nested(field: fields.Nested, mode: str) -> dict[str, Any]:
    inner = schema_of(field.schema, mode)  # field.schema: the instance, with `many` set
    return {"type": "array", "items": inner} if field.many else inner


def _dict(field: fields.Dict, mode: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if field.key_field is not None:
        keys = field_schema(field.key_field, mode)
        keys.pop("type", None)
        if keys:
            out["propertyNames"] = keys
    if field.value_field is not None:
        out["additionalProperties"] = field_schema(field.value_field, mode)
    return out


def _decimal(field: fields.Decimal, mode: str) -> dict[str, Any]:
    return {"type": "string", "pattern": DECIMAL, "description": DECIMAL_NOTE}


# Subclasses before their bases (Email is a String, AwareDateTime a DateTime, Date a DateTime
# in some versions); the first match wins.
TYPES: list[tuple[type, Callable[[Any, str], dict[str, Any]]]] = [
    (fields.Nested, _nested),
    (fields.List, lambda f, m: {"type": "array", "items": field_schema(f.inner, m)}),
    (fields.Tuple, lambda f, m: {"type": "array", "items": [field_schema(t, m)
                                                             for t in f.tuple_fields]}),
    (fields.Dict, _dict),
    (fields.Constant, lambda f, m: {"const": f.constant}),
    (fields.Email, lambda f, m: {"type": "string", "format": "email"}),
    (fields.Url, lambda f, m: {"type": "string", "format": "uri"}),
    (fields.UUID, lambda f, m: {"type": "string", "format": "uuid"}),
    (fields.String, lambda f, m: {"type": "string"}),
    (fields.Boolean, lambda f, m: {"type": "boolean"}),
    (fields.Decimal, _decimal),
    (fields.Integer, lambda f, m: {"type": "integer"}),
    (fields.Number, lambda f, m: {"type": "number"}),
    (fields.Date, lambda f, m: {"type": "string", "format": "date"}),
    (fields.DateTime, lambda f, m: {"type": "string", "format": "date-time"}),
]


def _apply(validator: Any, out: dict[str, Any]) -> None:
    """Add what `validator` checks to `out`, in JSON Schema's words where it has them."""
    if isinstance(validator, validate.OneOf):
        out["enum"] = [_plain(choice) for choice in validator.choices]
    elif isinstance(validator, validate.Equal):
        out["const"] = _plain(validator.comparable)
    elif isinstance(validator, validate.Regexp):
        _add_pattern(out, validator.regex.pattern)
    elif isinstance(validator, validate.Length):
        _length(validator, out)
    elif isinstance(validator, validate.Range):
        _range(validator, out)
    elif callable(validator):
        known = _custom(validator)
        if "pattern" in known:
            _add_pattern(out, known["pattern"])
        out["description"] = (out.get("description", "") + " " + known["description"]).strip()


def _custom(function: Any) -> dict[str, str]:
    for cell in getattr(function, "__closure__", None) or ():
        if callable(cell.cell_contents):  # _check(kz_bin.problem): the check it wraps
            function = cell.cell_contents
    name = f"{function.__module__}.{function.__name__}"
    doc = _first_paragraph(function.__doc__) or f"Checked by the service ({name})."
    return CUSTOM.get(name, {"description": doc})


def _add_pattern(out: dict[str, Any], pattern: str) -> None:
    if "pattern" not in out:
        out["pattern"] = pattern
    else:  # a Text field has two: both must match
        out.setdefault("allOf", []).append({"pattern": pattern})


def _length(validator: validate.Length, out: dict[str, Any]) -> None:
    words = {"string": ("minLength", "maxLength"), "array": ("minItems", "maxItems"),
             "object": ("minProperties", "maxProperties")}.get(out.get("type", ""))
    if words is None:
        return
    low, high = ((validator.equal, validator.equal) if validator.equal is not None
                 else (validator.min, validator.max))
    if low is not None:
        out[words[0]] = low
    if high is not None:
        out[words[1]] = high


def _range(validator: validate.Range, out: dict[str, Any]) -> None:
    if out.get("type") in ("integer", "number"):
        for bound, inclusive, word in ((validator.min, validator.min_inclusive, "minimum"),
                                       (validator.max, validator.max_inclusive, "maximum")):
            if bound is not None:
                out[word if inclusive else f"exclusive{word.capitalize()}"] = _plain(bound)
        return
    # A decimal string: JSON Schema cannot compare it as a number, so say it in words.
    low = "" if validator.min is None else f"at least {validator.min}"
    high = "" if validator.max is None else f"at most {validator.max}"
    bounds = " and ".join(part for part in (low, high) if part)
    out["description"] = (out.get("description", "") + f" Between bounds: {bounds}.").strip()


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    kind = out.get("type")
    if isinstance(kind, str) and kind not in ("object", "array"):
        out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]} if out else out


def _plain(value: Any) -> Any:
    """A bound or choice as JSON has it (a Decimal bound as a number)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return hasattr(value, "isoformat")
    return True


def _first_paragraph(doc: str | None) -> str:
    return re.sub(r"\s+", " ", (doc or "").strip().split("\n\n")[0]).strip()
