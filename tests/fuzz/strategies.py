"""Hypothesis strategies drawn from the services' own marshmallow schemas: for each field a
value of its type (within its OneOf choices where it has them) or junk of any JSON type;
fields left out at random, unknown ones added."""

from __future__ import annotations

import inspect
import re
from typing import Any

from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

# Text that broke an edge before: control characters (NUL cannot be stored in PostgreSQL
# text), and formula-like strings that a spreadsheet would run once exported.
TRICKY_TEXT = st.sampled_from([
    "a\x00b", "\x00", "name\x1f", "\x7f", "line\x0bbreak", '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"])
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(max_size=40), st.just(""), st.just("\x00"), st.just("x" * 5000),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                         max_size=2))


def for_field(field: fields.Field, depth: int = 0,
              wild: bool = True) -> st.SearchStrategy[Any]:
    choices = [v.choices for v in field.validators if isinstance(v, validate.OneOf)]
    if choices:
        typed = st.sampled_from(list(choices[0]))
    elif isinstance(field, fields.Nested) and depth < 3:
        nested = field.schema
        typed = for_schema(nested, depth + 1, wild)
        if field.many:
            typed = st.lists(typed, max_size=4)
    elif isinstance(field, fields.List):
        typed = st.lists(for_field(field.inner, depth + 1, wild), max_size=4)
    elif isinstance(field, fields.Dict):
        typed = st.dictionaries(st.text(max_size=12), JUNK, max_size=4)
    elif isinstance(field, fields.Boolean):
        typed = st.booleans()
    elif isinstance(field, fields.Integer):
        typed = st.one_of(st.integers(min_value=-5, max_value=5_000_000_000),
                          st.integers().map(str))
    elif isinstance(field, fields.Decimal):
        typed = st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    elif isinstance(field, fields.DateTime):
        typed = st.datetimes().map(lambda d: d.isoformat())
    elif isinstance(field, fields.Date):
        typed = st.dates().map(lambda d: d.isoformat())
    elif isinstance(field, fields.UUID):
        typed = st.uuids().map(str)
    else:
        typed = st.one_of(st.text(max_size=60), st.from_regex(r"[A-Za-z0-9-]{1,30}",
                                                              fullmatch=True), TRICKY_TEXT)
    return st.one_of(typed, typed, typed, JUNK) if wild else typed


def for_schema(schema: Schema | type[Schema], depth: int = 0,
               wild: bool = True) -> st.SearchStrategy[dict]:
    """Wild: any field may be missing, junk, or unknown. Tame: every required field present
    with a value of its type, so that calls get past validation into the domain."""
    instance = schema() if isinstance(schema, type) else schema
    loadable = {(f.data_key or name): f for name, f in instance.fields.items()
                if not f.dump_only}
    if not wild:
        return st.fixed_dictionaries(
            {key: for_field(f, depth, False) for key, f in loadable.items() if f.required},
            optional={key: for_field(f, depth, False) for key, f in loadable.items()
                      if not f.required})
    optional = {key: for_field(f, depth) for key, f in loadable.items()}
    return st.builds(lambda known, extra: {**extra, **known},
                     st.fixed_dictionaries({}, optional=optional),
                     st.dictionaries(st.text(max_size=8), JUNK, max_size=2))


def schema_of(method: Any, module: Any) -> type[Schema] | None:
    """The schema a command loads its payload with, read from its source
    (`load(s.Enrol(), payload)`), so a new command is fuzzed without being listed here."""
    found = re.search(r"load\((?:[a-z]\.)?(\w+)\(\)", inspect.getsource(inspect.unwrap(method)))
    return getattr(module, found.group(1), None) if found else None
