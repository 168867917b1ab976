"""Turning stored events into public envelopes, through an explicit per-service map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, cast

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from marshmallow import Schema, ValidationError

from shared.contracts import compiled
from shared.contracts.envelope import Envelope, provenance_attributes, source_of
from shared.contracts.records import INTERNAL_RECORD, ContractRefused, read_record, record_text
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
# A stored public record this code would not build (envelope_of_record).
OUTDATED = object()


class ContractMap:
    """Maps each internal event class of a service to a public contract, or to INTERNAL.

    An internal event class missing from the map is a programming error, caught by a test
    and, at run time, by a loud failure rather than a silently dropped event.

    An entry's translator builds the newest version the code has; the version published is
    the deployment's (`publishing`), by default the registry's default: while a new version
    rolls out, producers keep sending the one before it, its fields taken from the new one.
    The relay and the `notifications` RPC share this map, so the live queues and the logs
    read for catch-up carry the same version.

    The translation and its validation are done once, when the event is saved
    (`public_record`, stored with the event by shared/outbox.py); serving an event then
    reads that record (`envelope_of_record`). An event without one, or with one that other
    code built, is decoded and translated as it is read (`envelope_of_event`): the same
    envelope either way.
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

    def entry(self, event: Any) -> Publish | None:
        try:
            return self.entries[type(event)]
        except KeyError:
            raise LookupError(f"{type(event).__qualname__} has no entry in the "
                              f"{self.service} contract map") from None

    def envelope(self, app: Application[Any], notification: Notification) -> Envelope | None:
        """The event's envelope: from the public record stored with it when this code built
        that record, else from the decoded event."""
        record = getattr(notification, "public", None)
        if record is not None:
            envelope = self.envelope_of_record(notification, record)
            if envelope is not OUTDATED:
                return envelope  # type: ignore[return-value]
        return self.envelope_of_event(app, notification)

    def envelope_of_event(self, app: Application[Any],
                          notification: Notification) -> Envelope | None:
        """The envelope made from the decoded event: translated, validated, published."""
        event = app.mapper.to_domain_event(notification)
        entry = self.entry(event)
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
            **provenance_attributes(vars(event)),
        )

    def public_record(self, event: Any) -> str:
        """What the outbox column stores for `event`: its contract data at the version the
        code builds, validated now, so that an event its contract refuses is never stored."""
        entry = self.entry(event)
        if entry is None:
            return INTERNAL_RECORD
        contract: Any = entry.contract
        try:  # load then dump, as envelope_of_event does, by the compiled loop
            data = compiled.load_and_dump(schema_instance(contract),
                                          _jsonable(entry.translate(event)))
        except ValidationError as exc:
            raise ContractRefused(type(event), contract, exc.messages) from exc
        return record_text(contract, event.timestamp, data, provenance_attributes(vars(event)))

    def envelope_of_record(self, notification: Notification,
                           record: str) -> Envelope | None | object:
        """The envelope made from the stored record, with no decoding nor validation: the
        very one `envelope_of_event` makes, or OUTDATED if the record is not what this
        code builds for the event (stored by other code): then the event is decoded."""
        entry = self.entries.get(resolve_topic(notification.topic), OUTDATED)
        if entry is OUTDATED:
            return OUTDATED  # not in the map: envelope_of_event says so
        if entry is None or record == INTERNAL_RECORD:
            return None if entry is None and record == INTERNAL_RECORD else OUTDATED
        contract: Any = cast(Publish, entry).contract
        public = read_record(record)
        if (public["type"], public["version"]) != (contract.contract_type,
                                                   contract.contract_version):
            return OUTDATED
        version = self.publish[contract.contract_type]
        return Envelope(
            source=self.source,
            type=contract.contract_type,
            time=datetime.fromisoformat(public["time"]),
            subject=str(notification.originator_id),
            schemaversion=version,
            notificationid=notification.id,
            subjectversion=notification.originator_version,
            data=(public["data"] if version == contract.contract_version
                  else self._downcast(contract, public["data"], version)),
            **public.get("by", {}),
        )

    @staticmethod
    def _downcast(contract: Any, data: dict[str, Any], version: int) -> dict[str, Any]:
        # The registry downcasts what the newest schema loaded (dates as dates), as the
        # decoded path has it: the stored dump is loaded again first.
        loaded = compiled.load(schema_instance(contract), data)
        return REGISTRY.downcast(contract.contract_type, loaded, version)


def _jsonable(value: Any) -> Any:
    """Values as a JSON consumer would send them, so that loading validates the contract."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
