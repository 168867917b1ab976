"""Which contract versions a deployment publishes, and (for drills) reads: configuration,
never a code fork, so that a contract's new version rolls out in two steps (docs/contracts.md).

    CONTRACTS:
      publish: OrganisationJoinedProgramme=2    # or a mapping; ${CONTRACTS_PUBLISH:}
      readable: {OrganisationJoinedProgramme: 1}
      too_new_pause: 1.0                         # seconds, see shared/reading.py
      too_new_deadline: 900

- `publish` (producers): the version to publish of each contract named; any other contract
  is published at the registry's default (the newest version not registered as pending). It
  is one deployment-wide setting (the ConfigMap's CONTRACTS_PUBLISH), turned up only once
  every consumer runs code that reads the version, and down again to roll back.
- `readable` (consumers): read no version past this, as code from before that version
  would. Unset in production (the code's registry is the limit); drills set it to run an old
  consumer's very code path beside a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, validate

from shared.contracts.registry import REGISTRY, ContractRegistry, UnknownContract

TOO_NEW_PAUSE = 1.0
TOO_NEW_DEADLINE = 900.0  # longer than any rollout; then the event is set aside, replayable


class VersionsField(fields.Field):
    """{contract type: version}, from a mapping or from "Type=2,Other=1" (one env var)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, int]:
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValidationError('Must be "Type=version,Type=version".')
            value = {name.strip(): number.strip() for name, number in pairs}
        if not isinstance(value, Mapping):
            raise ValidationError("Must be a mapping of contract type to version.")
        versions = {}
        for name, number in value.items():
            try:
                versions[str(name)] = int(number)
            except (TypeError, ValueError):
                raise ValidationError(f"{name}: the version must be a whole number, "
                                      f"not {number!r}.") from None
        return versions


class ContractsSection(Schema):
    # None: what `${CONTRACTS_PUBLISH:}` gives when the variable is unset or empty.
    publish = VersionsField(load_default=dict, allow_none=True)
    readable = VersionsField(load_default=dict, allow_none=True)
    # Above 0: a consumer left alone with events too new must not spin on them.
    too_new_pause = fields.Float(load_default=TOO_NEW_PAUSE,
                                 validate=validate.Range(min=0, min_inclusive=False))
    too_new_deadline = fields.Float(load_default=TOO_NEW_DEADLINE,
                                    validate=validate.Range(min=0))


def _unknown(registry: ContractRegistry, name: str, version: int) -> str:
    try:
        registry.schema(name, version)
    except UnknownContract:
        return f"not a registered version (known: {registry.versions(name) or 'none'})"
    return ""


@dataclass(frozen=True)
class ContractVersions:
    publish: Mapping[str, int] = field(default_factory=dict)
    readable: Mapping[str, int] = field(default_factory=dict)
    too_new_pause: float = TOO_NEW_PAUSE
    too_new_deadline: float = TOO_NEW_DEADLINE

    @classmethod
    def from_config(cls, config: Mapping[str, Any],
                    registry: ContractRegistry = REGISTRY) -> ContractVersions:
        """The CONTRACTS section, validated: a wrong one stops the service at start with
        every wrong entry named, never a silent fallback to another version."""
        try:
            section = ContractsSection().load(dict(config.get("CONTRACTS") or {}))
        except ValidationError as exc:
            raise ValueError(f"CONTRACTS config: {exc.messages}") from None
        section.update(publish=section["publish"] or {}, readable=section["readable"] or {})
        errors = {key: wrong for key in ("publish", "readable")
                  if (wrong := [f"{name} v{version}: {reason}"
                                for name, version in section[key].items()
                                if (reason := _unknown(registry, name, version))])}
        if errors:
            raise ValueError(f"CONTRACTS config: {errors}")
        return cls(**section)

    def publish_version(self, type_: str, registry: ContractRegistry = REGISTRY) -> int:
        return self.publish.get(type_) or registry.default_publish_version(type_)
