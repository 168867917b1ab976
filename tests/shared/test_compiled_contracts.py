"""The compiled check of a contract (shared/contracts/compiled.py) answers exactly as
marshmallow's load and dump do: the same data for what it accepts, marshmallow's own error
(naming the field) for what it refuses."""

from __future__ import annotations

import importlib
from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, post_load, validate

from shared.contracts import REGISTRY, compiled
from shared.contracts.envelope import EnvelopeSchema, parse_envelope
from tests.fuzz.strategies import for_schema

CONTRACTS = [REGISTRY.schema(t, v) for t in REGISTRY.types() for v in REGISTRY.versions(t)]
IDS = [f"{s.contract_type}-v{s.contract_version}" for s in CONTRACTS]  # type: ignore[attr-defined]


def valid_value(field: fields.Field) -> st.SearchStrategy[Any]:
    """A value every rule of the field accepts, as JSON would carry it."""
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            return st.sampled_from(list(v.choices))
        if isinstance(v, validate.Equal):
            return st.just(v.comparable)
        if isinstance(v, validate.Regexp):
            return st.from_regex(v.regex, fullmatch=True)
        if isinstance(v, validate.Range) and isinstance(field, fields.Integer):
            return st.integers(min_value=v.min, max_value=v.max)
    if isinstance(field, fields.Nested):
        return valid_data(field.schema)
    if isinstance(field, fields.List):
        return st.lists(valid_value(field.inner), max_size=3)
    if isinstance(field, fields.Dict):
        values = valid_value(field.value_field) if field.value_field else st.integers()
        return st.dictionaries(st.text(max_size=6), values, max_size=3)
    return next((strategy for kind, strategy in SIMPLE if isinstance(field, kind)),
                st.text(min_size=1, max_size=20))


SIMPLE: list[tuple[type[fields.Field], st.SearchStrategy[Any]]] = [
    (fields.Boolean, st.booleans()),
    (fields.Integer, st.integers(min_value=1, max_value=10**6)),
    (fields.Float, st.floats(allow_nan=False, allow_infinity=False)),
    (fields.Decimal, st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)),
    (fields.DateTime, st.datetimes(timezones=st.just(UTC)).map(
        lambda d: d.isoformat())),
    (fields.Date, st.dates().map(lambda d: d.isoformat())),
    (fields.UUID, st.uuids().map(lambda u: str(u).upper())),  # dumped lower-case
]


def valid_data(schema: Schema | type[Schema]) -> st.SearchStrategy[dict[str, Any]]:
    instance = schema() if isinstance(schema, type) else schema
    return st.fixed_dictionaries(
        {n: valid_value(f) for n, f in instance.fields.items() if f.required},
        optional={n: st.one_of(st.none(), valid_value(f)) if f.allow_none else valid_value(f)
                  for n, f in instance.fields.items() if not f.required})


def answer(load: Any, data: Any) -> tuple[str, Any]:
    """What `load` makes of `data`: its result (as a list of items, so that key order
    counts), or the messages it refused it with."""
    try:
        result = load(data)
    except ValidationError as error:
        return "refused", error.messages
    return "ok", list(result.items()) if isinstance(result, dict) else result


def test_every_contract_and_the_envelope_are_compiled() -> None:
    assert [s.__name__ for s in CONTRACTS if compiled.compiled(s) is None] == []
    assert compiled.compiled(EnvelopeSchema, dump=False) is not None


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_compiled_check_answers_as_marshmallow_does(contract: type[Schema],
                                                    data: st.DataObject) -> None:
    schema = contract()
    example = data.draw(st.one_of(valid_data(contract), for_schema(contract)))
    marshmallows = answer(lambda d: schema.dump(schema.load(d)), example)
    assert answer(lambda d: compiled.load_and_dump(schema, d), example) == marshmallows
    if marshmallows[0] == "ok":  # and JSON that marshmallow takes, the fast path takes itself
        check = compiled.compiled(contract)
        assert check is not None and list(check(example).items()) == marshmallows[1]


def test_valid_data_is_taken_by_the_fast_path_not_by_marshmallow() -> None:
    schema = REGISTRY.instance("ScoresRecorded", 1)
    sheet = {"round_id": "r-1", "programme_id": "p", "school_id": "s", "grade": 6,
             "scores": [{"pupil_ref": "p-" + "a" * 32, "subject": "math", "score": 12}]}
    check = compiled.compiled(type(schema))
    assert check is not None and check(sheet) == schema.dump(schema.load(sheet))


def test_rejects_a_bad_pupil_ref_naming_the_field() -> None:
    schema = REGISTRY.instance("ScoresRecorded", 1)
    sheet = {"round_id": "r-1", "programme_id": "p", "school_id": "s", "grade": 6,
             "scores": [{"pupil_ref": "Aigerim", "subject": "math", "score": 12}]}
    with pytest.raises(ValidationError) as refused:
        compiled.load_and_dump(schema, sheet)
    assert refused.value.messages == {"scores": {0: {"pupil_ref": ["Must be a pupil reference."]}}}


def test_a_schema_with_hooks_is_not_compiled_and_is_still_validated() -> None:
    class Hooked(Schema):
        n = fields.Integer(required=True)

        @post_load
        def doubled(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return {"n": data["n"] * 2}

    assert compiled.compiled(Hooked) is None
    assert compiled.load_and_dump(Hooked(), {"n": 2}) == {"n": 4}
    with pytest.raises(ValidationError):
        compiled.load_and_dump(Hooked(), {"n": "two"})


def test_the_envelope_is_read_as_marshmallow_reads_it() -> None:
    body = {"specversion": "1.0", "id": "x", "source": "/baqylau/training", "type": "Foo",
            "time": "2024-09-02T10:00:00+00:00", "subject": "s", "schemaversion": 1,
            "notificationid": 3, "subjectversion": 1, "data": {"a": 1}}
    schema = EnvelopeSchema()
    assert compiled.load(schema, body) == schema.load(body)
    naive = {**body, "time": "2024-09-02T10:00:00"}
    with pytest.raises(ValidationError) as refused:
        parse_envelope(naive)
    assert "time" in refused.value.messages


def command_schemas() -> list[type[Schema]]:
    """Every schema of every service's commands and queries (schemas.py)."""
    found = []
    for service in ("training", "registry", "equipment", "assessment"):
        module = importlib.import_module(f"services.{service}.schemas")
        found += [c for c in vars(module).values() if isinstance(c, type)
                  and issubclass(c, Schema) and c.__module__ == module.__name__
                  and compiled.compiled(c, dump=False) is not None]
    return found


COMMANDS = command_schemas()


@pytest.mark.parametrize("command", COMMANDS, ids=[c.__name__ for c in COMMANDS])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_commands_compiled_load_answers_as_marshmallow_does(command: type[Schema],
                                                             data: st.DataObject) -> None:
    schema = command()
    payload = data.draw(st.one_of(valid_data(command), for_schema(command)))
    assert answer(lambda d: compiled.load(schema, d), payload) == answer(schema.load, payload)


def test_the_commands_with_hooks_are_compiled_too() -> None:
    names = {c.__name__ for c in COMMANDS}
    assert {"Enrol", "RecordScores", "ScoreRow", "ImportOrganisations"} <= names


def test_a_schema_that_overrides_load_is_not_compiled() -> None:
    from services.training.schemas import ScheduleCourse

    assert compiled.compiled(ScheduleCourse, dump=False) is None
    payload = {"programme_id": "p", "code": "C-1", "title": "Leadership", "subject": "m",
               "format": "online", "audience": "teacher", "planned_hours": "10",
               "provider": "AÑSA"}
    assert compiled.load(ScheduleCourse(), payload)["completion_hours"] == Decimal(10)


def test_valid_commands_are_taken_by_the_fast_path() -> None:
    from services.assessment.schemas import ScoreRow
    from services.training.schemas import Enrol

    enrol = {"course_id": "0f3c9d52-2b57-4f0e-9a55-6d1f1d9b3c01", "participant_id": "T-1",
             "school_id": "S-1", "role": "teacher", "enrolled_on": "2024-09-02"}
    row = {"row": 1, "pupil_id": " P-7 ", "grade": "6", "subject": "math", "score": "12"}
    for schema, payload in ((Enrol, enrol), (ScoreRow, row)):
        check = compiled.compiled(schema, dump=False)
        assert check is not None and check(payload) == schema().load(payload)
