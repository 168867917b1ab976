"""The committed machine-readable documents and validators for their schemas, with format
checking (date, date-time, uuid) on: a date sent as "2024-13-01" must fail, not pass."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from tests.conftest import ROOT

# Every format jsonschema knows (draft 7's own list lacks uuid, which AsyncAPI documents use);
# date-time needs rfc3339-validator installed, or it would pass anything.
FORMATS = FormatChecker()
assert {"date", "date-time", "uuid"} <= set(FORMATS.checkers), "pip install rfc3339-validator"


@cache
def asyncapi() -> dict[str, Any]:
    return json.loads((ROOT / "docs/asyncapi.json").read_text(encoding="utf-8"))


@cache
def commands() -> dict[str, Any]:
    return json.loads((ROOT / "docs/commands.json").read_text(encoding="utf-8"))


def message_validator(name: str) -> Draft7Validator:
    """The AsyncAPI message's payload (envelope and data) as one JSON Schema."""
    document = asyncapi()
    return Draft7Validator({"$ref": f"#/components/messages/{name}/payload",
                            "components": document["components"]}, format_checker=FORMATS)


def command_validator(key: str, part: str) -> Draft7Validator:
    """`part` "arguments" or "reply" of a command; "Reply", "Error", "Refusal" of the wire."""
    document = commands()
    schema = (document["commands"][key][part] if key else
              {"$ref": f"#/definitions/{part}"})
    return Draft7Validator({**schema, "definitions": document["definitions"]},
                           format_checker=FORMATS)


def problems(validator: Draft7Validator, instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(instance)]


def guide_frames() -> dict[str, Any]:
    """The JSON blocks of docs/integrators.md tagged `json <name>`, by name."""
    text = (ROOT / "docs/integrators.md").read_text(encoding="utf-8")
    return {name: json.loads(body) for name, body in
            re.findall(r"```json ([\w-]+)\n(.*?)\n```", text, flags=re.S)}
