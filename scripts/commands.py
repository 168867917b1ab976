"""Write docs/commands.json: every RPC command and query of every service, with its
arguments and reply as JSON Schema (draft 07) generated from the marshmallow schemas the
services load and dump with (scripts/rpc_catalogue.py), the wire protocol, and the errors.
tests/docs/test_commands_match.py checks real requests and replies against it.

    python -m scripts.commands           # (re)write docs/commands.json only
    python -m scripts.commands --check   # fail if the committed document is stale
    make asyncapi                        # both documents (scripts/asyncapi.py)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scripts.rpc_catalogue import commands, reply_example
from shared.access.roles import GRANTABLE, OPERATORS, may_call
from shared.commands import MAX_COMMAND_BYTES
from shared.errors import EXPECTED_ERRORS

OUT = Path(__file__).resolve().parent.parent / "docs/commands.json"

TRANSPORT = {
    "protocol": "AMQP 0-9-1 (RabbitMQ), nameko 2.14's RPC; servers as in docs/asyncapi.json",
    "exchange": {"name": "nameko-rpc", "type": "topic", "durable": True},
    "routingKey": "<service>.<method>, the keys of `commands` below",
    "request": {
        "properties": {
            "content_type": "application/json (required: it picks the decoder)",
            "content_encoding": "utf-8",
            "reply_to": "the routing key the reply is published with on `nameko-rpc`: "
                        "bind your reply queue to `nameko-rpc` with it",
            "correlation_id": "any unique string; the reply carries it back",
            "delivery_mode": "2 (persistent) or 1",
            "user_id": "required: your broker user's name, exactly. The broker refuses a frame "
                       "naming another user (406 PRECONDITION_FAILED closes the channel); "
                       "a request without it is answered Forbidden"},
        "body": "#/definitions/Request",
        "maxBytes": MAX_COMMAND_BYTES},
    "reply": {
        "exchange": "nameko-rpc", "routingKey": "the request's reply_to",
        "properties": {"content_type": "the request's", "correlation_id": "the request's"},
        "body": "#/definitions/Reply"},
    "malformedFrame": (
        "A frame without content_type application/json, with a content_encoding other than "
        "utf-8, a body that is not JSON, args not an empty list, kwargs missing or not the "
        "command's arguments, is answered with InvalidInput whose field map names the part "
        "(content_type, content_encoding, body, args, kwargs) if it has a reply_to, and is "
        "acknowledged and dropped either way: it is never redelivered. (So nameko's own "
        "IncorrectSignature and MalformedRequest never reach a caller.)"),
    "access": (
        "Each calling system is a broker user (its principal) granted one role for some "
        "programmes (or all). `roles` under each command lists the roles that may call it "
        "(operators: every command). The broker refuses a routing key outside your role "
        "(403 ACCESS_REFUSED closes the channel: open another); the service answers "
        "Forbidden, naming the principal and the command (or the field naming a programme "
        "outside your grant), to anything else it may not run. Nothing is stored either way. "
        "Your reply queue is yours to declare (server-named or `<your user>.…`); bind it to "
        "`nameko-rpc` without declaring the exchange (passive), which you may not."),
    "delivery": (
        "Commands are idempotent: re-sending one with the same natural key stores nothing "
        "twice, so a caller that timed out may send it again. A service that dies before "
        "replying leaves the request unacknowledged and the broker redelivers it."),
}

MEANINGS = {
    "InvalidInput": "The arguments failed validation; nothing was stored. Fix the fields "
                    "named in exc_args[1].",
    "NotFound": "A referenced aggregate does not exist (yet: it may be a read model that has "
                "not caught up, docs/integrators.md).",
    "DomainRuleViolated": "Well-formed but impossible in the current state (completing a "
                          "dropped enrolment); nothing was stored.",
    "Conflict": "The natural key is already used with different details.",
    "Unavailable": "The service's database is away; nothing was stored; send it again.",
    "Forbidden": "Your principal (the request's user_id) may not run this command, or not "
                 "for the programme it names: exc_args[1] names `user_id` or that field. "
                 "Nothing was stored.",
    "MethodNotFound": "No such method on the service (nameko): exc_args [method name]. A "
                      "service that is not running does not answer at all: set a timeout.",
}
NAMEKO_PATHS = {"MethodNotFound": "nameko.exceptions.MethodNotFound"}

FIELD_MAP = {"type": "object", "description": (
    "Each failing field (dotted for nested ones, `_schema` for the command as a whole) with "
    "a list of reasons; a nested field or list item may map to a nested object instead."),
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                       {"type": "object"}]}}
DEFINITIONS = {
    "Request": {"type": "object", "required": ["args", "kwargs"],
                "additionalProperties": False,
                "properties": {"args": {"type": "array", "maxItems": 0,
                                        "description": "Always empty: keyword arguments."},
                               "kwargs": {"type": "object",
                                          "description": "The command's `arguments`."}}},
    "Reply": {"type": "object", "required": ["result", "error"], "oneOf": [
        {"properties": {"error": {"type": "null"}}},
        {"properties": {"result": {"type": "null"}, "error": {"$ref": "#/definitions/Error"}}}],
        "description": "`result` (the command's `reply`) when error is null."},
    "Error": {"type": "object", "required": ["exc_type", "exc_path", "exc_args", "value"],
              "properties": {"exc_type": {"type": "string"}, "exc_path": {"type": "string"},
                             "exc_args": {"type": "array"}, "value": {"type": "string"}},
              "description": "nameko's serialized exception. An exc_type not in `errors` "
                             "is a fault of the service: report it."},
    "Refusal": {"allOf": [{"$ref": "#/definitions/Error"}, {"properties": {
        "exc_type": {"enum": [error.__name__ for error in EXPECTED_ERRORS]},
        "exc_args": {"type": "array", "minItems": 2, "maxItems": 2,
                     "items": [{"type": "string"}, FIELD_MAP]},
        "value": {"description": "The message, the same as exc_args[0]."}}}],
        "description": "A Baqylau error: exc_args = [message, field map]."},
}


def _errors() -> dict[str, Any]:
    errors = {error.__name__: {"exc_path": f"{error.__module__}.{error.__name__}",
                               "schema": "#/definitions/Refusal",
                               "meaning": MEANINGS[error.__name__]}
              for error in EXPECTED_ERRORS}
    for name, path in NAMEKO_PATHS.items():
        errors[name] = {"exc_path": path, "schema": "#/definitions/Error",
                        "meaning": MEANINGS[name]}
    return errors


def _entry(found: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"service": found.service, "method": found.method,
                             "description": found.doc, "arguments": found.arguments,
                             "reply": found.reply,
                             "roles": [role for role in (*GRANTABLE, OPERATORS)
                                       if may_call(role, found.service, found.method)]}
    if found.reply is None:
        example = reply_example(found.doc)
        entry["replyNote"] = ("No reply schema in the code; as its description shows: "
                              + example) if example else (
            "No reply schema in the code, nor an example: a JSON object.")
    return entry


def document() -> dict[str, Any]:
    return {
        "title": "Baqylau RPC commands and queries",
        "description": "Every command and query of every service: call `<service>.<method>` "
                       "on the nameko-rpc exchange with keyword arguments (`transport`). "
                       "Generated from the services' marshmallow schemas by "
                       "`python -m scripts.commands`. Guide: docs/integrators.md.",
        "jsonSchemaDialect": "http://json-schema.org/draft-07/schema#",
        "transport": TRANSPORT,
        "errors": _errors(),
        "definitions": DEFINITIONS,
        "commands": {f"{f.service}.{f.method}": _entry(f) for f in commands()},
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_or_check(out: Path, text: str, argv: list[str]) -> int:
    """Write a generated document, or with `--check` say (exit 1) if the committed one is
    stale: one rule for both of the integrators' documents."""
    if "--check" in argv:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"docs/{out.name} is stale: run `make asyncapi` (python -m scripts.asyncapi)")
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def main(argv: list[str]) -> int:
    return write_or_check(OUT, render(), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
