"""Write docs/asyncapi.json: the platform's public events as an AsyncAPI 2.6 document,
generated from the same marshmallow contracts the relay validates every message against,
and stating them as they travel (scripts/jsonschema_of.py: decimals as strings, nullable
fields as null). tests/docs/test_events_match.py checks real events from the broker
against it.

    python -m scripts.asyncapi           # (re)write docs/asyncapi.json and docs/commands.json
    python -m scripts.asyncapi --check   # fail if either committed document is stale

`make asyncapi` runs it: the commands' document (scripts/commands.py) is written with the
events' one, so that one command regenerates what an integrator is given.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scripts import commands
from scripts.jsonschema_of import schema_of
from services.assessment.contracts import CONTRACTS as ASSESSMENT
from services.equipment.contracts import CONTRACTS as EQUIPMENT
from services.registry.contracts import CONTRACTS as REGISTRY_MAP
from services.training.contracts import CONTRACTS as TRAINING
from shared.contracts.envelope import EXTENSION_NAME, PROVENANCE, EnvelopeSchema
from shared.contracts.registry import REGISTRY

OUT = Path(__file__).resolve().parent.parent / "docs/asyncapi.json"
MAPS = (REGISTRY_MAP, TRAINING, EQUIPMENT, ASSESSMENT)
AMQP_BINDING = "0.2.0"

DESCRIPTION = """\
CloudEvents 1.0 envelopes (structured JSON, UTF-8) that each service's relay publishes, with \
publisher confirms and in its notification-log order, to the durable topic exchange \
`<service>.events`, routing key = the event's `type`. `data` follows the versioned contract \
named by `type` and `schemaversion`. Guide: docs/integrators.md.

To subscribe from another system: declare a durable, non-exclusive, non-auto-delete queue of \
your own (name it `<your-system>.<service>.events`; never reuse a Baqylau service's queue, \
which would take its events away), bind it to `<service>.events` with each `type` you read as \
routing key (or `#` for all), consume with manual acknowledgement, and acknowledge only once \
the event is applied. Delivery is at least once: the same event may arrive again (a relay \
re-publishes after a crash, the broker redelivers what was not acknowledged), always with the \
same `id` (uuid5 of `source` and `notificationid`); de-duplicate by `id`. Events of one \
`subject` (aggregate) carry increasing `subjectversion`: apply them by it, never by arrival \
order. Anything missed (a queue created late, an outage) can be read again, in order, from \
the service's `notifications` RPC (docs/commands.json) after the last `notificationid` you \
applied."""


def _published() -> list[tuple[str, str, int, type]]:
    """(service, contract type, version, schema) for every contract a service publishes, at
    every version it may be configured to publish: from the registry's default to the
    newest its code builds (both while a new version rolls out, docs/contracts.md)."""
    seen = {}
    for contracts in MAPS:
        for entry in contracts.entries.values():
            if entry is not None:
                type_, newest = entry.contract.contract_type, entry.contract.contract_version
                for version in range(REGISTRY.default_publish_version(type_), newest + 1):
                    seen[(contracts.service, type_, version)] = REGISTRY.schema(type_, version)
    return [(*key, schema) for key, schema in sorted(seen.items())]


def _envelope() -> dict[str, Any]:
    envelope = schema_of(EnvelopeSchema, "dump")
    properties = envelope["properties"]
    properties["id"].update(format="uuid", description=(
        "uuid5 of source and notificationid: the same for every delivery of the event; "
        "de-duplicate by it."))
    properties["notificationid"]["description"] = (
        "The event's position in its service's notification log (`notifications` RPC).")
    properties["subject"].update(format="uuid", description="The aggregate's id.")
    properties["subjectversion"]["description"] = (
        "The aggregate's version after this event: apply a subject's events in this order.")
    properties["datacontenttype"]["const"] = "application/json"
    # Who caused the event: present where a command stored it (shared/access/caller.py).
    envelope["required"] = [name for name in envelope["required"] if name not in PROVENANCE]
    for name in PROVENANCE:
        properties[name]["type"] = "string"
    properties["recordedby"]["description"] = (
        "CloudEvents extension: the principal (broker user of the calling system) whose "
        "command stored the event. Absent for an event a service stored on its own.")
    properties["sourcefile"]["description"] = (
        "CloudEvents extension: for a fact from an imported file, the file's name.")
    properties["sourcesha256"]["description"] = (
        "CloudEvents extension: for a fact from an imported file, its content's SHA-256.")
    # Any other extension attribute a later release adds is allowed, and to be ignored.
    envelope["patternProperties"] = {EXTENSION_NAME.pattern: {}}
    envelope["description"] = (
        "The CloudEvents 1.0 envelope of every event. An extension attribute not listed here "
        "(a name of lower-case letters and digits) may appear: ignore it.")
    return envelope


def _message(service: str, type_: str, version: int, schema: type, name: str) -> dict:
    pending = version > REGISTRY.default_publish_version(type_)
    message = {
        "name": type_, "title": f"{type_} (version {version})" + (
            ", published once CONTRACTS.publish names it" if pending else ""),
        "contentType": "application/json",
        "payload": {"allOf": [{"$ref": "#/components/schemas/Envelope"}, {
            "type": "object", "properties": {
                "source": {"const": f"/baqylau/{service}"},
                "type": {"const": type_}, "schemaversion": {"const": version},
                "data": {"$ref": f"#/components/schemas/{name}"}}}]},
        "bindings": {"amqp": {"contentEncoding": "utf-8", "messageType": type_,
                              "bindingVersion": AMQP_BINDING}},
        "x-amqp-properties": {"content_type": "application/json",
                              "content_encoding": "utf-8", "delivery_mode": 2,
                              "message_id": "the envelope's id", "type": type_,
                              "app_id": service, "timestamp": "the event's time, seconds"},
    }
    summary = (schema.__doc__ or "").strip().split("\n\n")[0]
    if summary:
        message["summary"] = " ".join(summary.split())
    return message


def _channel(service: str, type_: str, refs: list[dict[str, str]]) -> dict[str, Any]:
    exchange = f"{service}.events"
    return {
        "description": (
            f"{type_} events of the {service} service: routing key `{type_}` on the durable "
            f"topic exchange `{exchange}`. Bind a durable queue of your own to it "
            f"(e.g. `<your-system>.{exchange}`); at-least-once, de-duplicate by `id`, order "
            f"a subject's events by `subjectversion`."
            + (" A consumer reads every version listed (docs/contracts.md)."
               if len(refs) > 1 else "")),
        "subscribe": {"operationId": f"on{type_}",
                      "message": refs[0] if len(refs) == 1 else {"oneOf": refs},
                      "bindings": {"amqp": {"ack": True, "deliveryMode": 2,
                                            "bindingVersion": AMQP_BINDING}}},
        "bindings": {"amqp": {"is": "routingKey", "exchange": {
            "name": exchange, "type": "topic", "durable": True, "autoDelete": False,
            "vhost": "/"}, "bindingVersion": AMQP_BINDING}},
        "x-subscriber-queue": {
            "name": f"<your-system>.{exchange}", "durable": True, "exclusive": False,
            "autoDelete": False, "bind": {"exchange": exchange, "routingKey": type_},
            "ack": "manual, after the event is applied", "delivery": "at-least-once",
            "deduplicateBy": "id", "orderBy": "subjectversion (per subject)"},
    }


def document() -> dict[str, Any]:
    schemas: dict[str, Any] = {"Envelope": _envelope()}
    messages: dict[str, Any] = {}
    refs: dict[tuple[str, str], list[dict[str, str]]] = {}
    for service, type_, version, schema in _published():
        name = f"{type_}V{version}"
        schemas[name] = schema_of(schema, "dump")
        messages[name] = _message(service, type_, version, schema, name)
        refs.setdefault((service, type_), []).append({"$ref": f"#/components/messages/{name}"})
    channels = {f"{service}.events/{type_}": _channel(service, type_, found)
                for (service, type_), found in refs.items()}
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Baqylau public events", "version": "1.1.0",
                 "description": DESCRIPTION},
        "servers": {"broker": {
            "url": "{host}:{port}", "protocol": "amqp", "protocolVersion": "0-9-1",
            "description": "The deployment's RabbitMQ, virtual host `/` unless the "
                           "deployment's AMQP_URI names another; credentials from its "
                           "operator (locally guest/guest, loopback only).",
            "variables": {
                "host": {"default": "127.0.0.1", "description": (
                    "127.0.0.1 where `make up` runs the broker; in Kubernetes the host in "
                    "the deployment's AMQP_URI Secret (in-cluster or managed RabbitMQ)")},
                "port": {"default": "5672", "description": "AMQP port (5671 with TLS)"}}}},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """Both documents: the events' and the commands'."""
    return commands.write_or_check(OUT, render(), argv) or commands.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
