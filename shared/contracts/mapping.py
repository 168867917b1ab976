"""Turning stored events into public envelopes, through an explicit per-service map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from marshmallow import Schema

from shared.contracts.envelope import Envelope, source_of
from shared.contracts.registry import schema_instance

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
    """

    def __init__(self, service: str, entries: Mapping[type, Publish | None]) -> None:
        self.service = service
        self.source = source_of(service)
        self.entries = dict(entries)

    def envelope(self, app: Application[Any], notification: Notification) -> Envelope | None:
        event = app.mapper.to_domain_event(notification)
        try:
            entry = self.entries[type(event)]
        except KeyError:
            raise LookupError(f"{type(event).__qualname__} has no entry in the "
                              f"{self.service} contract map") from None
        if entry is None:
            return None
        schema = schema_instance(entry.contract)
        data = schema.dump(schema.load(_jsonable(entry.translate(event))))
        return Envelope(
            source=self.source,
            type=entry.contract.contract_type,  # type: ignore[attr-defined]
            time=event.timestamp,
            subject=str(event.originator_id),
            schemaversion=entry.contract.contract_version,  # type: ignore[attr-defined]
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
