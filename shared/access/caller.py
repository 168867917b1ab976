"""The principal of the command being run: its check before the command runs, and the
provenance every event the command stores carries (shared/outbox.py).

The principal is the frame's `user_id`, which the broker has checked against the
connection's user; nothing the caller writes in headers or arguments can change it. It is
put in the worker's context by the RPC entrypoint (shared/commands.py) and read here, in
the worker, so that a refusal is an ordinary `Forbidden` reply and stores nothing.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping
from uuid import UUID

from prometheus_client import Counter

from shared.access.grants import Book, Grant
from shared.access.roles import may_call, records
from shared.errors import Forbidden, NotFound, Unavailable

PRINCIPAL = "baqylau.principal"  # worker context keys; never taken from a frame's headers
SOURCE_FILE = "baqylau.source_file"
SOURCE_DIGEST = "baqylau.source_sha256"
# What an import may say of the file its rows came from (headers x-baqylau-source-file and
# -sha256): shown beside the facts, so bounded and plain.
FILE_NAME = re.compile("^[^\x00-\x1f\x7f-\x9f/\\\\\u200e\u200f\u202a-\u202e\u2066-\u2069]{1,255}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
SOURCE_FILE_HEADER = "x-baqylau-source-file"
SOURCE_SHA256_HEADER = "x-baqylau-source-sha256"

FORBIDDEN = Counter("baqylau_rpc_forbidden_total", "RPC calls refused for their principal",
                    ["service", "reason"])


@dataclass(frozen=True)
class Caller:
    principal: str | None
    book: Book | None
    source: Mapping[str, str] | None = None


_current: ContextVar[Caller | None] = ContextVar("baqylau_caller", default=None)


def source_of(headers: Mapping[str, Any]) -> dict[str, str]:
    """The worker context's import provenance from a frame's headers, if well formed."""
    name, digest = headers.get(SOURCE_FILE_HEADER), headers.get(SOURCE_SHA256_HEADER)
    if isinstance(name, str) and FILE_NAME.match(name) and isinstance(digest, str) \
            and SHA256.match(digest):
        return {SOURCE_FILE: name, SOURCE_DIGEST: digest}
    return {}


def enter(worker_ctx: Any, book: Book) -> None:
    data = worker_ctx.data or {}
    source = ({"file": data[SOURCE_FILE], "sha256": data[SOURCE_DIGEST]}
              if SOURCE_FILE in data else None)
    _current.set(Caller(data.get(PRINCIPAL), book, source))


def leave() -> None:
    _current.set(None)


def principal() -> str | None:
    """The principal of the command being run; None outside a command."""
    caller = _current.get()
    return None if caller is None else caller.principal


@contextmanager
def acting_alone() -> Iterator[None]:
    """What the service does on its own within a command (a catch-up from another
    service's log) is not recorded as the caller's doing."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def provenance() -> dict[str, Any]:
    """What the events stored now record of who caused them: {} outside a command."""
    caller = _current.get()
    if caller is None or caller.principal is None:
        return {}
    if caller.source is None:
        return {"recorded_by": caller.principal}
    return {"recorded_by": caller.principal, "imported_from": dict(caller.source)}


# ---------------------------------------------------------------- the programme a call touches
Resolve = Callable[[Any, str], str]


class Scope:
    """Which programme a command records for: the payload's `field`, or the programme of
    the entity it names (`resolve(service, value)`). Those links never change once made
    (a course's programme, a round's), so each process keeps them once found."""

    KEPT = 20_000

    def __init__(self, field: str, resolve: Resolve | None = None,
                 fallback: Scope | None = None) -> None:
        self.field, self.resolve, self.fallback = field, resolve, fallback
        self.known: OrderedDict[str, str] = OrderedDict()

    def programme(self, service: Any, payload: Mapping[str, Any]) -> tuple[str, str | None]:
        value = payload.get(self.field)
        if value is None and self.fallback is not None:
            return self.fallback.programme(service, payload)
        if not isinstance(value, str):
            return self.field, None
        if self.resolve is None:
            return self.field, value
        if value not in self.known:
            try:
                found = self.resolve(service, value)
            except (NotFound, ValueError):  # names nothing: a scoped caller is refused
                return self.field, None
            self.known[value] = found
            if len(self.known) > self.KEPT:
                self.known.popitem(last=False)
        return self.field, self.known[value]


def scope(field: str, resolve: Resolve | None = None, fallback: Scope | None = None) -> Scope:
    return Scope(field, resolve, fallback)


def by_uuid(load: Callable[[Any, UUID], str]) -> Resolve:
    return lambda service, value: load(service, UUID(value))


# ---------------------------------------------------------------- the check
def refuse(service: str, reason: str, message: str, field: str = "user_id") -> Forbidden:
    FORBIDDEN.labels(service, reason).inc()
    return Forbidden(message, {field: [message]})


def check(service_name: str, method: str, service: Any, payload: Mapping[str, Any],
          programme_scope: Scope | None) -> Grant:
    """The caller's grant if it may run `service_name.method` with `payload`; Forbidden,
    naming the principal and the command, otherwise."""
    command = f"{service_name}.{method}"
    caller = _current.get()
    if caller is None or caller.book is None:
        raise refuse(service_name, "unchecked", f"{command}: this service holds no grants "
                     "to check callers against; refused")
    if not caller.principal:
        raise refuse(service_name, "anonymous", f"{command}: the request has no user_id; "
                     "send it with the AMQP user_id property set to your broker user")
    grant = caller.book.grant_on_miss(caller.principal)
    if grant is None and not caller.book.current():
        FORBIDDEN.labels(service_name, "grants_unknown").inc()
        raise Unavailable(f"{command}: {service_name} could not ask the registry for the "
                          "grants lately, so it cannot tell whether "
                          f"{caller.principal!r} may call; nothing was stored; send it again "
                          "shortly")
    if grant is None:
        raise refuse(service_name, "unknown", f"{command}: principal {caller.principal!r} "
                     "has no grant (never granted, or revoked)")
    if not may_call(grant.role, service_name, method):
        raise refuse(service_name, "role", f"{command}: principal {caller.principal!r} "
                     f"(role {grant.role}) may not call it")
    if not grant.everywhere and records(grant.role, service_name, method):
        if programme_scope is None:  # a record that names no programme: closed, not open
            raise refuse(service_name, "programme", f"{command}: names no programme, so "
                         f"only a grant for every programme may; principal "
                         f"{caller.principal!r} holds one for some")
        field, programme_id = programme_scope.programme(service, payload)
        if programme_id is None or not grant.covers(programme_id):
            what = f"programme {programme_id!r}" if programme_id else "no programme"
            raise refuse(service_name, "programme", f"{command}: {field} names {what}, "
                         f"not one granted to principal {caller.principal!r}", field)
    return grant


def authorised(method: Callable[..., Any], programme_scope: Scope | None) -> Callable[..., Any]:
    """`method`, run only once its caller passes `check`."""

    @functools.wraps(method)
    def guarded(self: Any, **payload: Any) -> Any:
        check(self.name, method.__name__, self, payload, programme_scope)
        return method(self, **payload)

    guarded.programme_scope = programme_scope  # type: ignore[attr-defined]
    return guarded

