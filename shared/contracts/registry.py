"""A registry of versioned contract schemas, with upcasters from old versions to the latest.

Changing a published contract means registering a new version and an upcaster from the old
one, so that consumers keep reading events stored and published before the change. A new
version ships "known, not yet published" (`published_by_default=False`): consumers read it
at once, producers keep publishing the version before it until the deployment says
otherwise (shared/contracts/versions.py, docs/contracts.md).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from marshmallow import Schema

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownContract(LookupError):
    """No schema is registered for this (type, version)."""


class TooNew(LookupError):
    """The event follows a version of its contract newer than this consumer reads: not the
    event's fault, nor one a retry fixes, but one an upgrade of this consumer does. It is
    waited for (shared/reading.py), never set aside at once."""

    def __init__(self, type_: str, version: int, readable: int, event_id: str = "") -> None:
        super().__init__(f"{type_} v{version} is newer than this consumer (v{readable})")
        self.type, self.version, self.readable, self.event_id = (type_, version, readable,
                                                                 event_id)


class ContractRegistry:
    def __init__(self) -> None:
        self._schemas: dict[tuple[str, int], type[Schema]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._pending: set[tuple[str, int]] = set()  # known, not yet published by default
        self._latest: dict[str, int] = {}

    def contract(self, type_: str, version: int, published_by_default: bool = True,
                 ) -> Callable[[type[Schema]], type[Schema]]:
        """Class decorator: register a schema as contract `type_` at `version`. A version
        with `published_by_default=False` is read by every consumer of this code but
        published only where the deployment's CONTRACTS.publish names it: consumers must
        all know a version before any producer sends it."""

        def register(schema: type[Schema]) -> type[Schema]:
            key = (type_, version)
            if key in self._schemas and self._schemas[key] is not schema:
                raise ValueError(f"contract {type_} v{version} is already registered")
            schema.contract_type = type_  # type: ignore[attr-defined]
            schema.contract_version = version  # type: ignore[attr-defined]
            self._schemas[key] = schema
            self._latest[type_] = max(version, self._latest.get(type_, 0))
            if not published_by_default:
                self._pending.add(key)
            return schema

        return register

    def upcaster(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning `from_version` data into `from_version + 1` data."""

        def register(func: Upcaster) -> Upcaster:
            self._upcasters[(type_, from_version)] = func
            return func

        return register

    def latest_version(self, type_: str) -> int:
        try:
            return self._latest[type_]  # asked for every event read: kept, not searched
        except KeyError:
            raise UnknownContract(f"no contract named {type_}") from None

    def versions(self, type_: str) -> list[int]:
        return sorted(v for (t, v) in self._schemas if t == type_)

    def default_publish_version(self, type_: str) -> int:
        """The newest version producers publish unless told otherwise."""
        published = [v for v in self.versions(type_) if (type_, v) not in self._pending]
        if not published:
            raise UnknownContract(f"no published version of {type_}")
        return max(published)

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

    def upcast(self, type_: str, version: int, data: dict[str, Any],
               readable: int | None = None, event_id: str = "") -> tuple[int, dict[str, Any]]:
        """Bring `data` of an older version up to the latest version this consumer reads:
        the latest registered, or `readable` if lower (a consumer configured to read no
        further, as code from before the newer version would). TooNew past that."""
        latest = self.latest_version(type_)
        if readable is not None:
            latest = min(latest, readable)
        if version > latest:
            raise TooNew(type_, version, latest, event_id)
        while version < latest:
            try:
                data = self._upcasters[(type_, version)](data)
            except KeyError:
                raise UnknownContract(f"no upcaster for {type_} v{version}") from None
            version += 1
        return version, data


    def downcast(self, type_: str, loaded: dict[str, Any], version: int) -> dict[str, Any]:
        """The latest version's data (as its schema loaded it) dumped as the older `version`
        has it: that version's fields only. Valid for additive changes: check_downcast
        first (once, not per event: building a schema to compare fields is not free)."""
        return self.instance(type_, version).dump(loaded)  # type: ignore[no-any-return]

    def check_downcast(self, type_: str, version: int) -> None:
        """Raise ValueError unless every field of `version` is in the latest version, so that
        a producer can still publish `version` from the latest version's data."""
        old = set(self.schema(type_, version)().fields)
        new = set(self.schema(type_, self.latest_version(type_))().fields)
        if not old <= new:
            raise ValueError(f"{type_} v{version} cannot be published from the latest "
                             f"version's data: it lacks {sorted(old - new)}")


REGISTRY = ContractRegistry()


@functools.cache
def schema_instance(schema: type[Schema]) -> Schema:
    """One reusable instance per schema class. Building a marshmallow Schema deep-copies its
    declared fields; per event that was a third of the relay's and the feed's CPU. Load and
    dump keep no state on the instance, so sharing it is safe."""
    return schema()
