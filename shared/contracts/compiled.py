"""A fast check of a contract's data, compiled from its marshmallow schema.

Every consumer validates every event it reads (Bad input gets a clear error), and with
marshmallow's generic `Schema.load` then `dump` that was two thirds of reporting's CPU in a
rebuild: most of it is the machinery around the fields (error stores, hooks, partial
loading, unknown handling), not the fields' own work. Here each schema is walked once and
turned into a plain loop over its fields, each field still deserialized, validated and
serialized by marshmallow's own field methods and validators, so the schema stays the
single source of every rule.

The fast path only ever accepts: on anything it does not take plainly (a missing required
field, an unknown key, a null where none is allowed, a value a field or validator refuses),
the caller is told `Refused` and runs marshmallow's full load, which gives the same answer
for valid data and the error message, naming the field, for invalid data. A schema with
anything the compiler does not model (hooks, data keys, field pre/post-load functions, a
field type it does not know) is not compiled at all and always goes marshmallow's way.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, missing
from marshmallow.validate import And, OneOf, Regexp

Check = Callable[[Any], Any]


class Refused(Exception):
    """The fast path does not take this value; marshmallow's full load decides."""


class NotCompilable(Exception):
    """The schema uses something the compiler does not model."""


@functools.cache
def compiled(schema_class: type[Schema], dump: bool = True) -> Check | None:
    """The check for a schema: data in, what `dump(load(data))` gives out (or what `load`
    gives, with `dump=False`); Refused where marshmallow must decide. None if not
    compilable."""
    try:
        return _schema(schema_class(), dump)
    except NotCompilable:
        return None


def _check_for(schema: Schema, dump: bool) -> Check | None:
    """The compiled check of the schema's class, if this instance is as the class makes it
    (no `many`, `only`, `partial`... given to it): the check was compiled from such a one."""
    plain = (schema.many is False and not schema.partial and schema.only is None
             and not schema.exclude and not schema.load_only and not schema.dump_only
             and schema.unknown == type(schema).opts.unknown)
    return compiled(type(schema), dump) if plain else None


def load_and_dump(schema: Schema, data: Any) -> Any:
    """`schema.dump(schema.load(data))`, through the compiled check where there is one."""
    check = _check_for(schema, dump=True)
    if check is not None:
        try:
            return check(data)
        except Refused:
            pass
    return schema.dump(schema.load(data))


def load(schema: Schema, data: Any) -> Any:
    """`schema.load(data)`, through the compiled check where there is one."""
    check = _check_for(schema, dump=False)
    if check is not None:
        try:
            return check(data)
        except Refused:
            pass
    return schema.load(data)


# ------------------------------------------------------------------ schemas
def _modelled(schema: Schema) -> None:
    """Raise NotCompilable for what the compiled loop does not do as marshmallow would."""
    if any(schema._hooks.values()) or schema.many or schema.partial:
        raise NotCompilable(f"{type(schema).__name__} has hooks or options")
    if schema.unknown != RAISE:
        raise NotCompilable(f"{type(schema).__name__} does not refuse unknown fields")
    for name, field in schema.fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise NotCompilable(f"{name} is renamed")
        if field.load_only or field.dump_only:
            raise NotCompilable(f"{name} is load- or dump-only")


def _schema(schema: Schema, dump: bool) -> Check:
    _modelled(schema)
    steps = [(name, _field(field, dump), _default(field, dump), field.allow_none)
             for name, field in schema.fields.items()]
    known = frozenset(schema.fields)

    def check(data: Any) -> dict[str, Any]:
        if type(data) is not dict or not known.issuperset(data):
            raise Refused
        out: dict[str, Any] = {}
        for name, value_check, default, allow_none in steps:
            value = data.get(name, missing)
            if value is missing:
                if default is missing:
                    raise Refused  # required, or absent: marshmallow says which
                out[name] = default
            elif value is None:
                if not allow_none:
                    raise Refused
                out[name] = None
            else:
                out[name] = value_check(value)
        return out

    return check


def _default(field: fields.Field, dump: bool) -> Any:
    """What a missing field becomes: its load_default (dumped), or `missing` when the
    field is required or has no default (then marshmallow must decide)."""
    default = field.load_default
    if field.required or default is missing or callable(default):
        return missing
    if default is None or not dump:
        return default
    return field._serialize(default, None, None)


# ------------------------------------------------------------------ fields
def _field(field: fields.Field, dump: bool) -> Check:
    if field.pre_load or field.post_load:
        raise NotCompilable(f"{type(field).__name__} has field-level pre/post-load")
    validate = _validator(field.validators)
    if type(field) is fields.String:
        return _string(validate)
    if isinstance(field, LEAVES):
        return _leaf(field, dump, validate)
    if validate is not None:
        raise NotCompilable(f"{type(field).__name__} with validators")
    if isinstance(field, fields.Nested):
        return _nested(field, dump)
    if isinstance(field, fields.List):
        return _list(field, dump)
    if isinstance(field, fields.Dict):
        return _dict(field, dump)
    raise NotCompilable(f"{type(field).__name__} is not modelled")


# The field types whose own _deserialize/_serialize are used as they are.
LEAVES = (fields.Integer, fields.Float, fields.Decimal, fields.Boolean, fields.UUID,
          fields.Date, fields.AwareDateTime)


def _validator(validators: list[Any]) -> Callable[[Any], bool] | None:
    """All of a field's validators as one predicate. OneOf and Regexp, the common ones, are
    tested directly (the same test as theirs: membership, `regex.match`); any other is
    called as marshmallow would (And: an exception or a False refuses)."""
    if not validators:
        return None
    tests: list[Callable[[Any], bool]] = []
    for validator in validators:
        if type(validator) is OneOf and all(type(c) is str for c in validator.choices):
            choices = frozenset(validator.choices)
            tests.append(lambda value, choices=choices: type(value) is str and value in choices)
        elif type(validator) is Regexp:
            tests.append(lambda value, match=validator.regex.match: match(value) is not None)
        else:
            tests.append(_called(And(validator)))
    if len(tests) == 1:
        return tests[0]
    return lambda value: all(test(value) for test in tests)


def _called(validate: And) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        try:
            validate(value)
        except ValidationError:
            return False
        return True

    return test


def _string(validate: Callable[[Any], bool] | None) -> Check:
    def check(value: Any) -> str:
        if type(value) is not str:
            raise Refused  # bytes and the like: marshmallow's own rules
        if validate is not None and not validate(value):
            raise Refused
        return value

    return check


def _leaf(field: fields.Field, dump: bool,
          validate: Callable[[Any], bool] | None) -> Check:
    deserialize, serialize = field._deserialize, field._serialize

    def check(value: Any) -> Any:
        try:
            loaded = deserialize(value, None, None)
        except ValidationError:
            raise Refused from None
        if validate is not None and not validate(loaded):
            raise Refused  # validators see the loaded value, as in marshmallow
        return serialize(loaded, None, None) if dump else loaded

    return check


def _nested(field: fields.Nested, dump: bool) -> Check:
    if field.many or field.only or field.exclude or field.unknown not in (None, RAISE):
        raise NotCompilable("Nested with options")
    schema = field.schema
    return _schema(schema, dump) if not isinstance(schema, type) else _schema(schema(), dump)


def _list(field: fields.List, dump: bool) -> Check:
    inner = _element(field.inner, dump)

    def check(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Refused
        return [inner(item) for item in value]

    return check


def _dict(field: fields.Dict, dump: bool) -> Check:
    keys = _element(field.key_field, dump) if field.key_field is not None else None
    values = _element(field.value_field, dump) if field.value_field is not None else None

    def check(value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise Refused
        if keys is None and values is None:
            return dict(value)
        return {(keys(k) if keys else k): (values(v) if values else v)
                for k, v in value.items()}

    return check


def _element(field: fields.Field, dump: bool) -> Check:
    """An element of a list or dict: no missing case, a null only where allowed."""
    check = _field(field, dump)
    allow_none = field.allow_none

    def element(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Refused
        return check(value)

    return element


def describe(schemas: Mapping[str, type[Schema]]) -> dict[str, bool]:
    """For each named schema, whether it is compiled (a test keeps every contract so)."""
    return {name: compiled(schema) is not None for name, schema in schemas.items()}
