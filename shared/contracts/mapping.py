"""Turning stored events into public envelopes, through an explicit per-service map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, cast

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from marshmallow import Schema

from shared.contracts.envelope import Envelope, source_of
from shared.contracts.registry import REGISTRY, schema_instance
from shared.contracts.versions import ContractVersions

# A translator turns an internal event into the contract's data (before the schema dumps it).
Translator = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Publish:
    """Publish the internal event as `contract`, with data built by `translate`."""

    contract: type[Schema]
    translate: Translator


# Marks an internal event that deliberately has no public contract.
INTERNAL = None


class ContractMap:
    """Maps each internal event class of a service to a public contract, or to INTERNAL.

    An internal event class missing from the map is a programming error, caught by a test
    and, at run time, by a loud failure rather than a silently dropped event.

    An entry's translator builds the newest version the code has; the version published is
    the deployment's (`publishing`), by default the registry's default: while a new version
    rolls out, producers keep sending the one before it, its fields taken from the new one.
    The relay and the `notifications` RPC share this map, so the live queues and the logs
    read for catch-up carry the same version.
    """

    def __init__(self, service: str, entries: Mapping[type, Publish | None],
                 versions: ContractVersions | None = None) -> None:
        self.service = service
        self.source = source_of(service)
        self.entries = dict(entries)
        versions = versions or ContractVersions()
        newest: dict[str, int] = {}
        for entry in self.entries.values():
            if entry is not None:
                contract = cast(Any, entry.contract)
                newest[contract.contract_type] = max(  # the version its code builds
                    newest.get(contract.contract_type, 0), contract.contract_version)
        self.publish = {type_: versions.publish_version(type_) for type_ in newest}
        for type_, version in self.publish.items():
            if version > newest[type_]:
                raise ValueError(f"{service} cannot publish {type_} v{version}: its code "
                                 f"builds v{newest[type_]} at most")
            if version < newest[type_]:
                REGISTRY.check_downcast(type_, version)

    def publishing(self, versions: ContractVersions) -> ContractMap:
        """The same map, publishing the versions the deployment's CONTRACTS.publish says."""
        return ContractMap(self.service, self.entries, versions)

    def envelope(self, app: Application[Any], notification: Notification) -> Envelope | None:
        event = app.mapper.to_domain_event(notification)
        try:
            entry = self.entries[type(event)]
        except KeyError:
            raise LookupError(f"{type(event).__qualname__} has no entry in the "
                              f"{self.service} contract map") from None
        if entry is None:
            return None
        contract: Any = entry.contract
        schema = schema_instance(contract)
        loaded = schema.load(_jsonable(entry.translate(event)))
        version = self.publish[contract.contract_type]
        data = (schema.dump(loaded) if version == contract.contract_version
                else REGISTRY.downcast(contract.contract_type, loaded, version))
        return Envelope(
            source=self.source,
            type=contract.contract_type,
            time=event.timestamp,
            subject=str(event.originator_id),
            schemaversion=version,
            notificationid=notification.id,
            subjectversion=event.originator_version,
            data=data,
        )


def _jsonable(value: Any) -> Any:
    """Values as a JSON consumer would send them, so that loading validates the contract."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
