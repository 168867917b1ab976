"""Write docs/asyncapi.json: the platform's public events as an AsyncAPI 2.6 document,
generated from the same marshmallow contracts the relay validates every message against.

    python -m scripts.asyncapi           # (re)write docs/asyncapi.json
    python -m scripts.asyncapi --check   # fail if the committed document is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.assessment.contracts import CONTRACTS as ASSESSMENT
from services.equipment.contracts import CONTRACTS as EQUIPMENT
from services.registry.contracts import CONTRACTS as REGISTRY_MAP
from services.training.contracts import CONTRACTS as TRAINING
from shared.contracts.envelope import EnvelopeSchema
from shared.contracts.registry import REGISTRY

OUT = Path(__file__).resolve().parent.parent / "docs/asyncapi.json"
MAPS = (REGISTRY_MAP, TRAINING, EQUIPMENT, ASSESSMENT)


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


def document() -> dict[str, Any]:
    spec = APISpec(title="schemas", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("Envelope", schema=EnvelopeSchema)
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for service, type_, version, schema in _published():
        name = f"{type_}V{version}"
        pending = version > REGISTRY.default_publish_version(type_)
        spec.components.schema(name, schema=schema)
        messages[name] = {
            "name": type_, "title": f"{type_} (version {version})" + (
                ", published once CONTRACTS.publish names it" if pending else ""),
            "contentType": "application/json",
            "summary": (schema.__doc__ or "").strip().split("\n\n")[0] or None,
            "headers": {"type": "object"},
            "payload": {"allOf": [{"$ref": "#/components/schemas/Envelope"}, {
                "type": "object", "properties": {
                    "source": {"const": f"/baqylau/{service}"},
                    "type": {"const": type_}, "schemaversion": {"const": version},
                    "data": {"$ref": f"#/components/schemas/{name}"}}}]}}
        channel = f"{service}.events/{type_}"
        refs = [*channels.get(channel, {}).get("refs", []),
                {"$ref": f"#/components/messages/{name}"}]
        channels[channel] = {
            "description": f"{type_} events of the {service} service; routing key {type_} on "
                           f"the topic exchange {service}.events."
                           + (" A consumer reads every version listed (docs/contracts.md)."
                              if len(refs) > 1 else ""),
            "refs": refs,
            "subscribe": {"operationId": f"on{type_}",
                          "message": refs[0] if len(refs) == 1 else {"oneOf": refs}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": f"{service}.events", "type": "topic", "durable": True,
                "autoDelete": False, "vhost": "/"}}}}
    for channel_item in channels.values():
        del channel_item["refs"]
    for message in messages.values():
        if message["summary"] is None:
            del message["summary"]
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Baqylau public events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 envelopes (structured JSON) published by "
                                "each service's relay with publisher confirms, in "
                                "notification-log order; `data` follows the versioned "
                                "contract named by `type` and `schemaversion`."},
        "servers": {"rabbitmq": {"url": "rabbitmq:5672", "protocol": "amqp",
                                 "protocolVersion": "0-9-1"}},
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages,
                       "schemas": spec.to_dict()["components"]["schemas"]},
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != render():
            print("docs/asyncapi.json is stale: run `make asyncapi`")
            return 1
        return 0
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
