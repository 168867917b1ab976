"""Grants: which calling system (a broker user) may do what, for which programmes.

Facts like any other in the registry: granted and revoked by an operator, each event naming
who did it, so the log keeps the whole history. One aggregate holds every grant: there are
tens, and one aggregate makes a grant and the check of what it replaces one atomic save.
Every service's replicas ask for the grants in force (`list_access`) every second
(shared/access/grants.py).
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.access.grants import AccessBook
from shared.access.roles import ALL_PROGRAMMES, GRANTABLE
from shared.application import retry_on_conflict
from shared.errors import DomainRuleViolated, NotFound
from shared.eventstore import EventStore
from shared.fields import Text

ACCESS_LIST_ID = uuid.uuid5(uuid.UUID("6a0f7c1e-3b9d-4c55-8f0e-2d7b9a4e1c02"), "access-list")
# A broker user name as RabbitMQ shows it and as the grant names it.
PRINCIPAL = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{0,63}$",
                            error="Must be a broker user name: lower-case letters, digits, "
                                  "'.', '_' or '-', at most 64.")

PROGRAMME = validate.Regexp(r"^(\*|[A-Za-z0-9][A-Za-z0-9._:-]{0,63})$",
                            error="Must be a programme id, or '*' for every programme.")


class AccessList(Aggregate):
    """Every grant made, the ones in force and the ones revoked."""

    @staticmethod
    def create_id(**_: object) -> uuid.UUID:
        return ACCESS_LIST_ID

    @event("Created")
    def __init__(self) -> None:
        self.grants: dict[str, dict[str, Any]] = {}
        self.revoked: dict[str, dict[str, Any]] = {}

    def grant(self, principal: str, role: str, programmes: list[str], granted_by: str,
              reason: str | None) -> None:
        current = self.grants.get(principal)
        if current is not None and (current["role"], current["programmes"]) == (role, programmes):
            return  # re-sent: already in force as asked
        self._granted(principal=principal, role=role, programmes=programmes,
                      granted_by=granted_by, reason=reason, granted_at=_now())

    @event("Granted")
    def _granted(self, principal: str, role: str, programmes: list[str], granted_by: str,
                 reason: str | None, granted_at: datetime) -> None:
        self.revoked.pop(principal, None)
        self.grants[principal] = {"principal": principal, "role": role,
                                  "programmes": programmes, "granted_by": granted_by,
                                  "reason": reason, "granted_at": granted_at}

    def revoke(self, principal: str, revoked_by: str, reason: str) -> None:
        if principal not in self.grants:
            if principal in self.revoked:
                return  # re-sent
            raise NotFound(f"no grant to {principal}",
                           {"principal": [f"{principal} holds no grant."]})
        self._revoked(principal=principal, revoked_by=revoked_by, reason=reason,
                      revoked_at=_now())

    @event("Revoked")
    def _revoked(self, principal: str, revoked_by: str, reason: str,
                 revoked_at: datetime) -> None:
        self.revoked[principal] = {**self.grants.pop(principal), "revoked_by": revoked_by,
                                   "revoke_reason": reason, "revoked_at": revoked_at}


def _now() -> datetime:
    return datetime.now(UTC)


class AccessGrants:
    """The registry application's grants (mixed into RegistryApplication)."""

    _access_kept: AccessList | None = None
    _access_lock = threading.Lock()

    def access_list(self) -> AccessList:
        """The list to change: loaded afresh, so a command that loses a race changes
        nothing another reads."""
        found = self.find(ACCESS_LIST_ID, AccessList)  # type: ignore[attr-defined]
        if found is not None:
            return found
        return AccessList()

    def access_in_force(self) -> AccessList | None:
        """The list to read, kept between calls and brought up to date with only the
        events stored since (one small query): every replica of every service asks for it
        every second, so it is not replayed whole each time."""
        with self._access_lock:
            kept = self._access_kept
            if kept is None:
                kept = self.find(ACCESS_LIST_ID, AccessList)  # type: ignore[attr-defined]
            else:
                for stored in self.events.get(ACCESS_LIST_ID, gt=kept.version):  # type: ignore[attr-defined]
                    kept = stored.mutate(kept)
            self._access_kept = kept
            return kept

    @retry_on_conflict()
    def grant_access(self, principal: str, role: str, programmes: list[str],
                     granted_by: str, reason: str | None = None) -> dict[str, Any]:
        for position, programme_id in enumerate(programmes):
            if programme_id != ALL_PROGRAMMES and not self.has_programme(programme_id):  # type: ignore[attr-defined]
                raise NotFound(f"programme {programme_id} not found",
                               {"programmes": {position: [f"No programme {programme_id}."]}})
        access = self.access_list()
        access.grant(principal, role, sorted(set(programmes)), granted_by, reason)
        self.save(access)  # type: ignore[attr-defined]
        return access.grants[principal]

    @retry_on_conflict()
    def revoke_access(self, principal: str, revoked_by: str, reason: str) -> dict[str, Any]:
        access = self.access_list()
        access.revoke(principal, revoked_by, reason)
        self.save(access)  # type: ignore[attr-defined]
        return access.revoked[principal]


def refuse_built_in(principal: str, built_in: set[str]) -> None:
    if principal in built_in:
        raise DomainRuleViolated(f"{principal} is one of the platform's own principals",
                                 {"principal": [f"{principal} is an operator or a service: "
                                                "its rights are fixed, not granted."]})


# ---------------------------------------------------------------- schemas
class GrantAccess(Schema):
    class Meta:
        unknown = RAISE

    principal = fields.String(required=True, validate=PRINCIPAL)
    role = fields.String(required=True, validate=validate.OneOf(GRANTABLE))
    programmes = fields.List(fields.String(validate=PROGRAMME), required=True,
                             validate=validate.Length(min=1, max=500))
    reason = Text(load_default=None, allow_none=True)

    @validates_schema
    def everywhere_alone(self, data: dict[str, Any], **_: Any) -> None:
        programmes = data.get("programmes") or []
        if ALL_PROGRAMMES in programmes and len(programmes) > 1:
            raise ValidationError(f"{ALL_PROGRAMMES!r} (every programme) stands alone.",
                                  "programmes")


class RevokeAccess(Schema):
    class Meta:
        unknown = RAISE

    principal = fields.String(required=True, validate=PRINCIPAL)
    reason = Text(required=True)


class ListAccess(Schema):
    class Meta:
        unknown = RAISE

    include_revoked = fields.Boolean(load_default=False)


class GrantView(Schema):
    principal = fields.String()
    role = fields.String()
    programmes = fields.List(fields.String())
    granted_by = fields.String()
    reason = fields.String(allow_none=True)
    granted_at = fields.AwareDateTime()


class RevokedGrantView(GrantView):
    revoked_by = fields.String()
    revoke_reason = fields.String()
    revoked_at = fields.AwareDateTime()


class RegistryAccessBook(AccessBook):
    """The registry's replicas read the grants from their own store, not over RPC."""

    def fetch(self) -> list[dict[str, Any]]:
        store = next(d for d in self.container.dependencies if isinstance(d, EventStore))
        access = store.app.access_in_force()
        return [] if access is None else list(access.grants.values())
