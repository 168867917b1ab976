"""Every RPC command and query of every service, found as the code declares them: each
service class's methods whose nameko entrypoint is a `Command` (shared/commands.py), with
the marshmallow schema its payload is loaded with and the view its reply is dumped with,
both read from the method's own code (its AST), so a command added tomorrow is documented
without being listed anywhere.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from scripts.jsonschema_of import schema_of
from services.catalogue import entrypoints, service_classes

ANY_OBJECT: dict[str, Any] = {"type": "object"}


@dataclass(frozen=True)
class Found:
    service: str
    method: str
    doc: str
    arguments: dict[str, Any]
    reply: dict[str, Any] | None  # None: the code builds it otherwise; see `doc`


def commands() -> list[Found]:
    classes = service_classes()
    return [describe(service, name, getattr(classes[service], name))
            for service, name in entrypoints()]


def describe(service: str, name: str, method: Any) -> Found:
    method = inspect.unwrap(method)  # the command's own code, not its access check's
    tree = ast.parse(textwrap.dedent(inspect.getsource(method))).body[0]
    scope = method.__globals__
    loaded = next((node.args[0] for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and _name(node.func) == "load" and node.args
                   and isinstance(node.args[0], ast.Call)), None)
    schema = _resolve(loaded.func, scope) if loaded is not None else None
    if isinstance(schema, type) and issubclass(schema, Schema):
        arguments = schema_of(schema, "load")
    elif inspect.getfullargspec(method).varkw is None:
        arguments = {"type": "object", "maxProperties": 0,
                     "description": "Takes no arguments."}
    else:
        arguments = dict(ANY_OBJECT)
    returns = [node.value for node in ast.walk(tree)
               if isinstance(node, ast.Return) and node.value is not None]
    replies = [_reply(node, scope) for node in returns]
    reply = None
    if replies and all(r is not None for r in replies):
        distinct = [r for n, r in enumerate(replies) if r not in replies[:n]]
        reply = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
    return Found(service, name, " ".join((method.__doc__ or "").split()), arguments, reply)


def reply_example(doc: str) -> str:
    """The part of a docstring that shows the reply ("Reply: ...", "Example: ...", "e.g.")."""
    match = re.search(r"(Reply:|Example(?: reply)?:|e\.g\.)\s*(.*)", doc)
    return match.group(0) if match else ""


def _reply(node: ast.expr, scope: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema of what a `return` expression gives, where the code states it: a
    view's dump, a dict of literal keys (a view spread into it, or values of any type), a
    list of dumps. None where it does not (a helper's result)."""
    view = _dumped(node, scope)
    if view is not None:
        return view
    if isinstance(node, ast.ListComp):
        inner = _dumped(node.elt, scope)
        return {"type": "array", "items": inner} if inner is not None else None
    if not isinstance(node, ast.Dict):
        return None
    properties: dict[str, Any] = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:  # {**View().dump(x), "outcome": ...}
            spread = _dumped(value, scope)
            if spread is None or spread.get("type") != "object":
                return None
            properties.update(spread["properties"])
        elif isinstance(key, ast.Constant) and isinstance(key.value, str):
            properties[key.value] = _reply(value, scope) or {}
        else:
            return None
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def _dumped(node: ast.expr, scope: dict[str, Any]) -> dict[str, Any] | None:
    """`View().dump(x)` or `View(many=True).dump(xs)`: the view's schema as dumped."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "dump" and isinstance(node.func.value, ast.Call)):
        return None
    made = node.func.value
    view = _resolve(made.func, scope)
    if not (isinstance(view, type) and issubclass(view, Schema)):
        return None
    many = any(k.arg == "many" and isinstance(k.value, ast.Constant) and k.value.value
               for k in made.keywords)
    dumped = schema_of(view, "dump")
    return {"type": "array", "items": dumped} if many else dumped


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    """`s.Enrol` or `ImportKato` as the method's module names it."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
