"""Errors every service returns to its callers.

They are registered with nameko's `deserialize_to_instance`, so a caller that imports this
module gets the same exception type back from an RPC call, with its `errors` intact, instead
of a generic RemoteError. On the wire (nameko's reply) `error.exc_args` is
`[message, errors]`, so a client without this code reads the same field map (README: "Errors
a client can act on").

Every refusal carries a field map: one that concerns no single field (a rule about the whole
command, such as "completing a dropped enrolment") names `_schema`, marshmallow's key for
the payload as a whole.
"""

from __future__ import annotations

from typing import Any

import psycopg
import psycopg2.errors
from eventsourcing.persistence import InterfaceError, OperationalError
from nameko.exceptions import deserialize_to_instance
from psycopg2 import OperationalError as Psycopg2OperationalError

# What a database outage looks like from a service: eventsourcing's wrappers (psycopg 3) and
# psycopg2's own. Never the caller's or the message's fault: retried, never refused for good.
OUTAGES = (OperationalError, InterfaceError, Psycopg2OperationalError)
# The server ended a session that sat in an open transaction past its limit (eventsourcing
# sets idle_in_transaction_session_timeout, 5 s): the network was away mid-transaction, which
# was rolled back. The drivers call it an InternalError (SQLSTATE 25P03); it is an outage.
SESSION_ENDED = (psycopg.errors.IdleInTransactionSessionTimeout,
                 psycopg2.errors.IdleInTransactionSessionTimeout)


def is_outage(exc: BaseException) -> bool:
    """A database outage: nothing was stored by this attempt, and trying again will do."""
    return isinstance(exc, OUTAGES + SESSION_ENDED) or isinstance(exc.__cause__, SESSION_ENDED)


class BaqylauError(Exception):
    """Base of the errors a caller is expected to handle; never a 500."""

    code = "error"

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        errors = errors or {"_schema": [message]}
        super().__init__(message, errors)
        self.message = message
        self.errors = errors

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "errors": self.errors}


@deserialize_to_instance
class InvalidInput(BaqylauError):
    """The payload failed validation; `errors` maps each field to its reasons."""

    code = "invalid_input"


@deserialize_to_instance
class NotFound(BaqylauError):
    """A referenced aggregate does not exist."""

    code = "not_found"


@deserialize_to_instance
class DomainRuleViolated(BaqylauError):
    """The command is well-formed but impossible in the aggregate's current state."""

    code = "rule_violated"


@deserialize_to_instance
class Conflict(BaqylauError):
    """The natural key is already used with different details."""

    code = "conflict"


@deserialize_to_instance
class Unavailable(BaqylauError):
    """A part the command needs (the event store's database) is away. Nothing was stored
    by this attempt; the same command can be sent again, commands being idempotent."""

    code = "unavailable"


@deserialize_to_instance
class Forbidden(BaqylauError):
    """The caller's principal (the broker user that sent the request) may not run this
    command, or not for the programme it names. Nothing was stored."""

    code = "forbidden"


EXPECTED_ERRORS = (InvalidInput, NotFound, DomainRuleViolated, Conflict, Unavailable,
                   Forbidden)


def invalid(errors: dict[str, Any]) -> InvalidInput:
    """Build an InvalidInput whose message names every failing field."""
    fields = ", ".join(sorted(_flatten(errors)))
    return InvalidInput(f"invalid input: {fields}", errors)


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    if not isinstance(errors, dict):
        return [prefix or "_schema"]
    names: list[str] = []
    for key, value in errors.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        names.extend(_flatten(value, path) if isinstance(value, dict) else [path])
    return names
