"""The committed documents are what the code gives now, and say what the wire carries
(decimals as strings, dates, UUIDs, enums, nulls); no servers needed."""

from __future__ import annotations

import copy

from marshmallow import Schema, fields, validate

from scripts import asyncapi, commands
from scripts.jsonschema_of import schema_of
from scripts.rpc_catalogue import service_classes
from tests.docs.documents import (
    command_validator,
    guide_frames,
    message_validator,
    problems,
)

COMPLETED = {
    "specversion": "1.0", "id": "16e3f605-9ea0-52a6-aecd-6c109317982c",
    "source": "/baqylau/training", "type": "TrainingCompleted",
    "time": "2026-12-07T11:42:04.267187+00:00", "subject": "e70a5d98-a06f-5613-901e-4c06a4ea78b0",
    "datacontenttype": "application/json", "schemaversion": 1, "notificationid": 9,
    "subjectversion": 3, "data": {
        "enrolment_id": "e70a5d98-a06f-5613-901e-4c06a4ea78b0",
        "course_id": "46946583-3f01-5d93-be16-966153b1a6eb", "programme_id": "docs-pilot",
        "participant_id": "TCH-1", "school_id": "DOC-000", "role": "teacher",
        "management_team_id": None, "completed_on": "2023-03-12", "attended_hours": "4.0"}}


def test_the_committed_command_document_is_what_the_code_gives():
    assert commands.main(["--check"]) == 0, "run `python -m scripts.commands`"


def test_the_committed_asyncapi_document_is_what_the_contracts_give():
    assert asyncapi.main(["--check"]) == 0, "run `make asyncapi`"


def test_an_event_as_it_travels_validates_and_a_decimal_as_a_number_does_not():
    validator = message_validator("TrainingCompletedV1")
    assert problems(validator, COMPLETED) == []
    for field, wrong in [("attended_hours", 4.0), ("completed_on", "2023-13-12"),
                         ("enrolment_id", "e70a5d98"), ("role", "pupil")]:
        event = copy.deepcopy(COMPLETED)
        event["data"][field] = wrong
        assert problems(validator, event), f"{field}={wrong!r} passed"
    event = copy.deepcopy(COMPLETED)
    del event["data"]["management_team_id"]  # always sent, null when there is none
    assert problems(validator, event)


def test_every_command_of_every_service_is_documented():
    documented = commands.document()["commands"]
    for service, cls in service_classes().items():
        for name in dir(cls):
            entrypoints = getattr(getattr(cls, name), "nameko_entrypoints", ())
            if any(type(e).__name__ == "Command" for e in entrypoints):
                assert f"{service}.{name}" in documented
    assert {"registry", "training", "equipment", "assessment", "reporting"} == {
        entry["service"] for entry in documented.values()}


def test_a_command_without_a_reply_schema_says_so():
    for key, entry in commands.document()["commands"].items():
        assert entry["reply"] is not None or entry["replyNote"].startswith("No reply"), key


def test_the_converter_states_what_marshmallow_checks():
    class Example(Schema):
        hours = fields.Decimal(required=True, places=1, validate=validate.Range(0, 12))
        kind = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(["a", "b"]))
        tags = fields.List(fields.String(validate=validate.Length(max=5)),
                           validate=validate.Length(min=1))
        on = fields.Date(required=True)

    loaded = schema_of(Example, "load")
    assert loaded["required"] == ["hours", "on"] and loaded["additionalProperties"] is False
    assert loaded["properties"]["hours"]["type"] == "string"
    assert "at most 12" in loaded["properties"]["hours"]["description"]
    assert loaded["properties"]["kind"] == {"type": ["string", "null"],
                                            "enum": ["a", "b", None], "default": None}
    assert loaded["properties"]["tags"] == {"type": "array", "minItems": 1,
                                            "items": {"type": "string", "maxLength": 5}}
    assert schema_of(Example, "dump")["required"] == ["hours", "kind", "tags", "on"]


def test_the_guides_frames_fit_the_command_document():
    frames = guide_frames()
    request, reply = frames["request-frame"], frames["reply-frame"]
    key = request["routing_key"]
    assert request["exchange"] == "nameko-rpc"
    assert request["properties"]["content_type"] == "application/json"
    assert reply["routing_key"] == request["properties"]["reply_to"]
    assert problems(command_validator("", "Request"), request["body"]) == []
    assert problems(command_validator(key, "arguments"), request["body"]["kwargs"]) == []
    assert problems(command_validator("", "Reply"), reply["body"]) == []
    assert problems(command_validator(key, "reply"), reply["body"]["result"]) == []
    error = frames["error-reply"]["body"]["error"]
    assert problems(command_validator("", "Refusal"), error) == []
