"""The documents an outside system is given tell the truth: registry, training, equipment
and assessment run in nameko containers on the real RabbitMQ and PostgreSQL (a throwaway
vhost and databases); a plain-AMQP client (tests/docs/wire.py) drives a small programme
through RPC and an outside subscriber's own queue collects every event. Each event is
validated against docs/asyncapi.json, each request and reply against docs/commands.json."""

from __future__ import annotations

import importlib
from collections import Counter
from types import SimpleNamespace

import pytest
from nameko.containers import ServiceContainer
from nameko.testing.utils import find_free_port

from scripts import asyncapi
from tests.conftest import throwaway_databases, throwaway_vhost
from tests.docs import documents, scenario
from tests.docs.documents import command_validator, message_validator, problems
from tests.docs.wire import EventTap, RawRpc

pytestmark = pytest.mark.integration

SERVICES = {"equipment": "EquipmentService", "assessment": "AssessmentService",
            "training": "TrainingService", "registry": "RegistryService"}  # consumers first
# Errors no call here can provoke, and why.
UNPROVOKED = {"Unavailable": "needs the database away (tests/shared/test_broker_outage.py, "
                             "the fault drill)"}


def _start(name: str, config: dict) -> ServiceContainer:
    module = importlib.import_module(f"services.{name}.service")
    container = ServiceContainer(getattr(module, SERVICES[name]), {
        **config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}"})
    container.start()
    return container


@pytest.fixture(scope="module")
def wire(rabbit_manager):
    """The whole scenario once; what crossed the wire, for the tests below to check."""
    with throwaway_vhost(rabbit_manager, "baqylau_docs") as amqp_uri, \
            throwaway_databases() as new_database:
        tap = EventTap(amqp_uri, ["registry", "training", "equipment", "assessment"])
        rpc = RawRpc(amqp_uri)
        base = {"AMQP_URI": amqp_uri, "RELAY": {"poll_interval": 0.2, "batch_size": 100},
                "PSEUDONYM_KEY": "documents-only-pseudonym-key-0123"}
        stores = {name: new_database() for name in SERVICES}
        containers: dict[str, ServiceContainer] = {}
        try:
            for name in SERVICES:
                containers[name] = _start(name, {**base, "EVENT_STORE": stores[name]})
            rpc.call("equipment.set_allocation_rule", **scenario.RULE)
            scenario.registry_facts(rpc)
            made = scenario.training_facts(rpc)
            scenario.equipment_facts(rpc)
            scenario.assessment_facts(rpc)
            errors = scenario.refusals(rpc, made)
            refused_frames = scenario.malformed(rpc)
            # Step 2 of a contract's rollout (docs/contracts.md): the registry replaced by
            # one publishing OrganisationJoinedProgramme v2, so that version is seen too.
            containers.pop("registry").stop()
            containers["registry"] = _start("registry", {
                **base, "EVENT_STORE": stores["registry"],
                "CONTRACTS": {"publish": {"OrganisationJoinedProgramme": 2}}})
            scenario.join(rpc, "DOC-002")
            expected = {(t, v) for _, t, v, _ in asyncapi._published()}
            tap.drain(lambda got: expected <= {(b["type"], b["schemaversion"])
                                               for _, b in got}, timeout=60)
            yield SimpleNamespace(events=list(tap.messages), exchanges=list(rpc.exchanges),
                                  errors=errors, expected=expected,
                                  refused_frames=refused_frames)
        finally:
            for container in containers.values():
                container.stop()
            rpc.close()
            tap.close()


def test_every_published_contract_arrives_from_the_broker(wire):
    seen = Counter((body["type"], body["schemaversion"]) for _, body in wire.events)
    assert wire.expected - set(seen) == set(), f"never published: {wire.expected - set(seen)}"


def test_every_event_validates_against_its_asyncapi_message(wire):
    failures = {}
    for _, body in wire.events:
        name = f"{body['type']}V{body['schemaversion']}"
        found = problems(message_validator(name), body)
        if found:
            failures[name] = found
    assert failures == {}


def test_events_travel_on_the_exchange_routing_key_and_properties_documented(wire):
    channels = documents.asyncapi()["channels"]
    for properties, body in wire.events:
        service = body["source"].rsplit("/", 1)[1]
        channel = channels[f"{service}.events/{body['type']}"]
        assert properties["exchange"] == channel["bindings"]["amqp"]["exchange"]["name"]
        assert properties["routing_key"] == body["type"]
        assert (properties["content_type"], properties["content_encoding"]) == (
            "application/json", "utf-8")
        assert properties["message_id"] == body["id"]
        assert properties["delivery_mode"] == 2


def test_every_request_sent_fits_the_arguments_documented(wire):
    failures = {}
    for frame, reply in wire.exchanges:
        key, body = frame["routing_key"], frame["body"]
        if reply["body"]["error"] is None:  # refused calls were made to be wrong
            found = problems(command_validator(key, "arguments"), body["kwargs"])
            if found:
                failures[key] = found
    assert failures == {}


def test_every_reply_fits_the_wire_shape_and_its_commands_reply(wire):
    failures, checked = {}, set()
    for frame, reply in wire.exchanges:
        key, body = frame["routing_key"], reply["body"]
        assert reply["routing_key"] == frame["properties"]["reply_to"]
        assert reply["properties"]["correlation_id"] == frame["properties"]["correlation_id"]
        found = problems(command_validator("", "Reply"), body)
        if body["error"] is None and documents.commands()["commands"][key]["reply"]:
            found += problems(command_validator(key, "reply"), body["result"])
            checked.add(key)
        if found:
            failures[key] = found
    assert failures == {}
    assert len(checked) >= 25, sorted(checked)  # most commands' replies, not a handful


def test_each_refusal_arrives_as_documented(wire):
    documented = documents.commands()["errors"]
    assert set(wire.errors) | set(UNPROVOKED) == set(documented), sorted(wire.errors)
    for exc_type, error in wire.errors.items():
        assert error["exc_path"] == documented[exc_type]["exc_path"]
        part = documented[exc_type]["schema"].rsplit("/", 1)[1]
        assert problems(command_validator("", part), error) == [], exc_type
    field_map = wire.errors["InvalidInput"]["exc_args"][1]
    assert set(field_map) >= {"course_id", "school_id"}  # each failing field named


def test_the_guide_shows_the_frames_a_real_call_sends_and_receives(wire):
    guide = documents.guide_frames()
    frame, reply = next((f, r) for f, r in wire.exchanges
                        if f["routing_key"] == guide["request-frame"]["routing_key"])
    assert set(guide["request-frame"]["properties"]) == set(frame["properties"])
    assert set(guide["reply-frame"]["body"]) == set(reply["body"])
    assert set(guide["reply-frame"]["body"]["result"]) == set(reply["body"]["result"])


def test_a_malformed_frame_with_reply_to_is_answered_invalid_input_naming_the_part(wire):
    assert len(wire.refused_frames) >= 5  # the scenario's malformed frames, each answered
    for part, error in wire.refused_frames:
        assert problems(command_validator("", "Refusal"), error) == [], part
        assert (error["exc_type"], list(error["exc_args"][1])) == ("InvalidInput", [part])
