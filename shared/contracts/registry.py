"""A registry of versioned contract schemas, with upcasters from old versions to the latest.

Changing a published contract means registering a new version and an upcaster from the old
one, so that consumers keep reading events stored and published before the change.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from marshmallow import Schema

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownContract(LookupError):
    """No schema is registered for this (type, version)."""


class ContractRegistry:
    def __init__(self) -> None:
        self._schemas: dict[tuple[str, int], type[Schema]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def contract(self, type_: str, version: int) -> Callable[[type[Schema]], type[Schema]]:
        """Class decorator: register a schema as contract `type_` at `version`."""

        def register(schema: type[Schema]) -> type[Schema]:
            key = (type_, version)
            if key in self._schemas and self._schemas[key] is not schema:
                raise ValueError(f"contract {type_} v{version} is already registered")
            schema.contract_type = type_  # type: ignore[attr-defined]
            schema.contract_version = version  # type: ignore[attr-defined]
            self._schemas[key] = schema
            return schema

        return register

    def upcaster(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning `from_version` data into `from_version + 1` data."""

        def register(func: Upcaster) -> Upcaster:
            self._upcasters[(type_, from_version)] = func
            return func

        return register

    def latest_version(self, type_: str) -> int:
        versions = [v for (t, v) in self._schemas if t == type_]
        if not versions:
            raise UnknownContract(f"no contract named {type_}")
        return max(versions)

    def schema(self, type_: str, version: int) -> type[Schema]:
        try:
            return self._schemas[(type_, version)]
        except KeyError:
            raise UnknownContract(f"no contract {type_} v{version}") from None

    def instance(self, type_: str, version: int) -> Schema:
        """The contract's schema, one instance per (type, version)."""
        return schema_instance(self.schema(type_, version))

    def types(self) -> list[str]:
        return sorted({t for (t, _) in self._schemas})

    def upcast(self, type_: str, version: int, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Bring `data` of an older version up to the latest registered version."""
        latest = self.latest_version(type_)
        if version > latest:
            raise UnknownContract(f"{type_} v{version} is newer than this consumer (v{latest})")
        while version < latest:
            try:
                data = self._upcasters[(type_, version)](data)
            except KeyError:
                raise UnknownContract(f"no upcaster for {type_} v{version}") from None
            version += 1
        return version, data


REGISTRY = ContractRegistry()


@functools.cache
def schema_instance(schema: type[Schema]) -> Schema:
    """One reusable instance per schema class. Building a marshmallow Schema deep-copies its
    declared fields; per event that was a third of the relay's and the feed's CPU. Load and
    dump keep no state on the instance, so sharing it is safe."""
    return schema()
