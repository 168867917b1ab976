"""The values of the compiled check (compiled.py): each a function from the value as JSON
carried it to the value marshmallow's field gives, or Refused where marshmallow must decide."""

from __future__ import annotations

from typing import Any, Callable

from marshmallow import ValidationError, fields
from marshmallow.validate import And, OneOf, Regexp

Check = Callable[[Any], Any]


class Refused(Exception):
    """The fast path does not take this value; marshmallow's full load decides."""


def validated(convert: Check, validate: Callable[[Any], bool]) -> Check:
    def check(value: Any) -> Any:
        loaded = convert(value)
        if not validate(loaded):
            raise Refused
        return loaded

    return check


# The field types whose own _deserialize/_serialize are used as they are.
LEAVES = (fields.Integer, fields.Float, fields.Decimal, fields.Boolean, fields.UUID,
          fields.Date, fields.AwareDateTime)


def validator(validators: list[Any]) -> Callable[[Any], bool] | None:
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


def string(validate: Callable[[Any], bool] | None) -> Check:
    def check(value: Any) -> str:
        if type(value) is not str:
            raise Refused  # bytes and the like: marshmallow's own rules
        if validate is not None and not validate(value):
            raise Refused
        return value

    return check


def leaf(field: fields.Field, dump: bool,
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
