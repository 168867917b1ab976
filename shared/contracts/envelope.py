"""The CloudEvents 1.0 envelope every public event travels in (structured JSON mode).

Besides the required CloudEvents attributes (specversion, id, source, type) and the optional
time and subject, three extension attributes let consumers be exact:
- `schemaversion`: the version of the contract that `data` follows;
- `notificationid`: the event's position in the source service's notification log, the key
  for de-duplication and for filling gaps through the service's `notifications` RPC;
- `subjectversion`: the aggregate's version, for order-safe projections;
and three more say who caused the event, where a command stored it:
- `recordedby`: the principal (the broker user of the calling system) that sent the command;
- `sourcefile`, `sourcesha256`: for a fact that came in an imported file, the file's name and
  the SHA-256 of its content, as the importer declared them.
They are optional: an event stored by a service on its own (a consumer learning another
service's facts) or before they existed has none. Any other extension attribute (a name of
lower-case letters and digits, as CloudEvents names them) is ignored, not refused: a later
release may add one without a consumer of this one setting its events aside. (Consumers
from before these three refuse them: roll consumers out before producers, as for any
contract, docs/contracts.md.)
The `id` is derived from (source, notificationid), so a re-published event has the same id.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.contracts import compiled
from shared.contracts.registry import REGISTRY, ContractRegistry, schema_instance

SPEC_VERSION = "1.0"
ID_NAMESPACE = uuid.UUID("5d7c1b0e-6f5a-4d38-9a0a-0c6e1c0b7a11")
NAMESPACE_BYTES = ID_NAMESPACE.bytes


def source_of(service: str) -> str:
    return f"/baqylau/{service}"


def event_id(source: str, notification_id: int) -> str:
    """uuid5(ID_NAMESPACE, "source#id") as text, computed as RFC 4122 says (the SHA-1 of
    namespace and name, version 5, the variant bits) without building UUID objects: every
    event read and served computes one (a tenth of reading an envelope)."""
    name = NAMESPACE_BYTES + f"{source}#{notification_id}".encode()
    # SHA-1 is what uuid5 is defined with: an identifier, not a secret.
    digest = bytearray(hashlib.sha1(name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(required=True, validate=validate.Regexp(r"^/baqylau/[a-z_]+$"))
    type = fields.String(required=True, validate=validate.Regexp(r"^[A-Z][A-Za-z]+$"))
    time = fields.AwareDateTime(required=True)
    subject = fields.String(required=True)
    datacontenttype = fields.String(load_default="application/json")
    schemaversion = fields.Integer(required=True, validate=validate.Range(min=1))
    notificationid = fields.Integer(required=True, validate=validate.Range(min=1))
    subjectversion = fields.Integer(required=True, validate=validate.Range(min=1))
    data = fields.Dict(required=True)
    recordedby = fields.String(load_default=None, validate=validate.Length(min=1, max=128))
    sourcefile = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
    sourcesha256 = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


PROVENANCE = ("recordedby", "sourcefile", "sourcesha256")
ENVELOPE_FIELDS = frozenset(EnvelopeSchema._declared_fields)


def provenance_attributes(stored: dict[str, Any] | None) -> dict[str, str]:
    """The envelope's provenance attributes from what the event stored of its command:
    {"recorded_by": principal, "imported_from": {"file", "sha256"}} (shared/access)."""
    if not stored or not stored.get("recorded_by"):
        return {}
    attributes = {"recordedby": stored["recorded_by"]}
    source = stored.get("imported_from")
    if isinstance(source, dict):
        attributes.update(sourcefile=source["file"], sourcesha256=source["sha256"])
    return attributes


@dataclass(frozen=True)
class Envelope:
    source: str
    type: str
    time: datetime
    subject: str
    schemaversion: int
    notificationid: int
    subjectversion: int
    data: dict[str, Any] = field(default_factory=dict)
    recordedby: str | None = None
    sourcefile: str | None = None
    sourcesha256: str | None = None
    # The source's last part, asked several times per event by every projection.
    service: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "service", self.source.rsplit("/", 1)[-1])

    @property
    def id(self) -> str:
        return event_id(self.source, self.notificationid)

    def to_message(self) -> dict[str, Any]:
        """The JSON body published to RabbitMQ and returned by `notifications`."""
        message = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat(),
            "subject": self.subject,
            "datacontenttype": "application/json",
            "schemaversion": self.schemaversion,
            "notificationid": self.notificationid,
            "subjectversion": self.subjectversion,
            "data": self.data,
        }
        for name in PROVENANCE:
            if (value := getattr(self, name)) is not None:
                message[name] = value
        return message


EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")


def known_attributes(body: Any) -> Any:
    """The envelope without extension attributes this code does not know (CloudEvents:
    an extension a consumer does not understand is not an error)."""
    if not isinstance(body, dict):
        return body
    known = ENVELOPE_FIELDS
    if all(name in known for name in body):
        return body
    return {name: value for name, value in body.items()
            if name in known or not (isinstance(name, str) and EXTENSION_NAME.match(name))}


def parse_envelope(body: Any, registry: ContractRegistry = REGISTRY,
                   readable: Mapping[str, int] | None = None) -> Envelope:
    """Validate a received message and its data; upcast the data to the latest version
    this consumer reads (`readable` may hold some contracts below the registry's latest).

    Raises marshmallow.ValidationError for a malformed envelope or data, UnknownContract
    for a type (or a missing upcaster) this consumer does not know, and TooNew for a
    version newer than it reads.
    """
    attrs = compiled.load(schema_instance(EnvelopeSchema), known_attributes(body))
    version, raw = registry.upcast(attrs["type"], attrs["schemaversion"], attrs["data"],
                                   (readable or {}).get(attrs["type"]), attrs["id"])
    data = compiled.load_and_dump(registry.instance(attrs["type"], version), raw)
    if attrs["id"] != event_id(attrs["source"], attrs["notificationid"]):
        raise ValidationError({"id": ["Does not match source and notificationid."]})
    return Envelope(
        source=attrs["source"],
        type=attrs["type"],
        time=attrs["time"],
        subject=attrs["subject"],
        schemaversion=version,
        notificationid=attrs["notificationid"],
        subjectversion=attrs["subjectversion"],
        data=data,
        recordedby=attrs["recordedby"],
        sourcefile=attrs["sourcefile"],
        sourcesha256=attrs["sourcesha256"],
    )
