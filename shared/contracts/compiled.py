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
for valid data and the error message, naming the field, for invalid data. A command's
schema may have hooks (pre-load, validators, post-load): the loop runs them through
marshmallow's own invokers, in its order. A schema with anything else the compiler does not
model (dump hooks, data keys, field-level pre/post-load, a field type it does not know) is
not compiled at all and always goes marshmallow's way. Tests compare both ways on generated
data for every contract and every command (tests/shared/test_compiled_contracts.py).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from marshmallow import RAISE, Schema, ValidationError, fields, missing
from marshmallow.decorators import (
    POST_DUMP,
    POST_LOAD,
    PRE_DUMP,
    PRE_LOAD,
    VALIDATES,
    VALIDATES_SCHEMA,
)
from marshmallow.error_store import ErrorStore

from shared.contracts.compiled_values import (
    LEAVES,
    Check,
    Refused,
    leaf,
    string,
    validated,
    validator,
)

DUMPING = (PRE_DUMP, POST_DUMP)


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
    return _fast_or(schema, data, True, lambda: schema.dump(schema.load(data)))


def load(schema: Schema, data: Any) -> Any:
    """`schema.load(data)`, through the compiled check where there is one."""
    return _fast_or(schema, data, False, lambda: schema.load(data))


def _fast_or(schema: Schema, data: Any, dump: bool, marshmallow: Callable[[], Any]) -> Any:
    check = _check_for(schema, dump)
    if check is not None:
        try:
            return check(data)
        except Refused:
            pass
    return marshmallow()


# ------------------------------------------------------------------ schemas
# A schema class that overrides one of these does its own thing around the fields.
SCHEMA_METHODS = ("load", "loads", "_do_load", "_deserialize", "validate", "handle_error",
                  "dump", "dumps", "_serialize")


def _modelled(schema: Schema, dump: bool) -> None:
    """Raise NotCompilable for what the compiled loop does not do as marshmallow would."""
    overridden = [m for m in SCHEMA_METHODS if getattr(type(schema), m) is not getattr(Schema, m)]
    if overridden:
        raise NotCompilable(f"{type(schema).__name__} overrides {', '.join(overridden)}")
    if schema.many or schema.partial:
        raise NotCompilable(f"{type(schema).__name__} has options")
    if any(schema._hooks.values()) and (dump or any(schema._hooks[tag] for tag in DUMPING)):
        raise NotCompilable(f"{type(schema).__name__} has hooks: a contract has none")
    if schema.unknown != RAISE:
        raise NotCompilable(f"{type(schema).__name__} does not refuse unknown fields")
    for name, field in schema.fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise NotCompilable(f"{name} is renamed")
        if field.load_only or field.dump_only:
            raise NotCompilable(f"{name} is load- or dump-only")


def _schema(schema: Schema, dump: bool) -> Check:
    _modelled(schema, dump)
    loop = _fields_loop(schema, dump)
    return _with_hooks(schema, loop) if any(schema._hooks.values()) else loop


def _with_hooks(schema: Schema, loop: Check) -> Check:
    """A command's schema (load only) with its pre-load, validators and post-load hooks,
    each run by marshmallow's own invoker in marshmallow's order; any error refuses."""
    hooks = schema._hooks
    options = {"many": False, "partial": schema.partial, "unknown": schema.unknown}
    validates = bool(hooks[VALIDATES] or hooks[VALIDATES_SCHEMA])

    def check(data: Any) -> Any:
        try:
            processed = (schema._invoke_load_processors(PRE_LOAD, data, original_data=data,
                                                        **options)
                         if hooks[PRE_LOAD] else data)
            result = loop(processed)
            if validates:
                errors = ErrorStore()
                schema._invoke_field_validators(error_store=errors, data=result, many=False)
                for whole in (True, False):
                    schema._invoke_schema_validators(
                        error_store=errors, pass_collection=whole, data=result,
                        original_data=data, field_errors=False, **options)
                if errors.errors:
                    raise Refused
            return (schema._invoke_load_processors(POST_LOAD, result, original_data=data,
                                                   **options)
                    if hooks[POST_LOAD] else result)
        except ValidationError:
            raise Refused from None

    return check


def _fields_loop(schema: Schema, dump: bool) -> Check:
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
    validate = validator(field.validators)
    if type(field) is fields.String:
        return string(validate)
    if isinstance(field, LEAVES):
        return leaf(field, dump, validate)
    if validate is not None and dump:  # validators see the loaded value, not the dumped
        raise NotCompilable(f"{type(field).__name__} with validators")
    if isinstance(field, fields.Nested):
        convert = _nested(field, dump)
    elif isinstance(field, fields.List):
        convert = _list(field, dump)
    elif isinstance(field, fields.Dict):
        convert = _dict(field, dump)
    else:
        raise NotCompilable(f"{type(field).__name__} is not modelled")
    return convert if validate is None else validated(convert, validate)


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
