"""The broker's permissions for each principal, made from the same roles the services
check (shared/access/roles.py): a call outside a principal's grant is refused by RabbitMQ
before any worker sees it, and a subscriber reads only the event exchanges its role reads.

For an outside system (academy, school-data, finance, reader), on its vhost:
- `configure`: its own queues only: those named `<principal>.…` (reply queues too:
  shared/calling.py names them so) and server-named ones (`amq.gen-…`, random). Never an
  exchange: a caller binds to the RPC exchange without declaring it, or it could delete it.
- `write`: the RPC exchange (to send requests) and its own queues (to bind them).
- `read`: the RPC exchange and the event exchanges of its role (to bind), its own queues.
- topic permissions on the RPC exchange: `write` only the routing keys (`<service>.<method>`)
  its role may call; `read` (binding) only keys `<principal>.…` (its replies' `reply_to`),
  so it cannot bind a queue to another system's requests or replies.
Operators have every permission on their vhost. So have the services, but for one: on the
RPC exchange a service binds only its own requests (`<service>.…`) and its own replies
(`<principal>.…`), so one taken over cannot listen to the others' calls and replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote

import requests

from shared.access.roles import EVENT_SOURCES, GRANTABLE, LOGS, OPERATORS, SERVICE, may_call

RPC_EXCHANGE = "nameko-rpc"
SERVER_NAMED = r"amq\.gen-.+"  # a queue the broker names: random, so nobody else's to guess
EVERYTHING = ".*"
TIMEOUT = 10.0  # seconds, for each call of the management API


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str
    topic_write: str  # on RPC_EXCHANGE
    topic_read: str


def _any_of(patterns: Iterable[str]) -> str:
    return "^(" + "|".join(patterns) + ")$"


def permissions(principal: str, role: str, catalogue: Iterable[tuple[str, str]],
                service: str | None = None) -> Permissions:
    """What `principal`, granted `role`, may do on the broker; `catalogue` is every
    (service, method) the platform answers (services/catalogue.py finds them); `service`:
    which service a service principal runs, if not the one of its name."""
    if role == OPERATORS:
        return Permissions(EVERYTHING, EVERYTHING, EVERYTHING, EVERYTHING, EVERYTHING)
    if role == SERVICE:
        # It answers callers on whatever key they bind (replies: write anything), but binds
        # only its own requests and replies: a service taken over cannot listen to the
        # others' requests or replies (an issued token, a funder's report).
        bound = [re.escape(service or principal) + r"\..+", re.escape(principal) + r"\..+"]
        return Permissions(EVERYTHING, EVERYTHING, EVERYTHING, EVERYTHING,
                           _any_of(sorted(set(bound))))
    if role not in GRANTABLE:
        raise ValueError(f"no such role: {role}")
    own = re.escape(principal) + r"\..+"
    queues = [SERVER_NAMED, own]
    methods = sorted(re.escape(f"{s}.{m}") for s, m in catalogue if may_call(role, s, m))
    logs = [re.escape(f"{source}.events") for source in EVENT_SOURCES
            if source in LOGS.get(role, ())]
    return Permissions(
        configure=_any_of(queues),
        write=_any_of([re.escape(RPC_EXCHANGE), *queues]),
        read=_any_of([re.escape(RPC_EXCHANGE), *logs, *queues]),
        topic_write=_any_of(methods) if methods else "^$",
        topic_read=_any_of([own]),
    )


def _paths(api: str, vhost: str, principal: str) -> tuple[str, str]:
    """The management API's permissions and topic permissions of `principal` on `vhost`."""
    at = f"{quote(vhost, safe='')}/{quote(principal, safe='')}"
    return f"{api}/permissions/{at}", f"{api}/topic-permissions/{at}"


def apply(session: requests.Session, api: str, vhost: str, principal: str,
          allowed: Permissions) -> None:
    """Set `principal`'s permissions on `vhost`, and its topic permissions on the RPC
    exchange, through the management API at `api` (".../api")."""
    plain, topic = _paths(api, vhost, principal)
    session.put(plain, timeout=TIMEOUT, json={
        "configure": allowed.configure, "write": allowed.write, "read": allowed.read,
    }).raise_for_status()
    session.put(topic, timeout=TIMEOUT, json={
        "exchange": RPC_EXCHANGE, "write": allowed.topic_write, "read": allowed.topic_read,
    }).raise_for_status()


def add_user(session: requests.Session, api: str, vhost: str, principal: str, password: str,
             role: str | None, catalogue: Iterable[tuple[str, str]],
             service: str | None = None) -> None:
    """Create (or update) the broker user `principal` and give it `role`'s permissions on
    `vhost` (none for a role of None); a service's user runs `service` (its name, if
    unsaid)."""
    session.put(f"{api}/users/{quote(principal, safe='')}", timeout=TIMEOUT,
                json={"password": password, "tags": ""}).raise_for_status()
    if role is not None:
        apply(session, api, vhost, principal, permissions(principal, role, catalogue, service))


def withdraw(session: requests.Session, api: str, vhost: str, principal: str) -> int:
    """Remove every permission `principal` has on `vhost` (none left is no error), and
    close its open connections there; how many were closed."""
    for path in _paths(api, vhost, principal):
        answer = session.delete(path, timeout=TIMEOUT)
        if answer.status_code != 404:
            answer.raise_for_status()
    return close_connections(session, api, vhost, principal, "grant revoked")


def close_connections(session: requests.Session, api: str, vhost: str, principal: str,
                      reason: str) -> int:
    """Close `principal`'s open connections on `vhost`: RabbitMQ caches a channel's
    permission checks, so a connection opened before a change would go on for a while."""
    listed = session.get(f"{api}/connections", timeout=TIMEOUT)
    listed.raise_for_status()
    closed = 0
    for connection in listed.json():
        if connection.get("user") == principal and connection.get("vhost") == vhost:
            answer = session.delete(f"{api}/connections/{quote(connection['name'], safe='')}",
                                    timeout=TIMEOUT, headers={"X-Reason": reason})
            if answer.status_code != 404:  # it may have closed meanwhile
                answer.raise_for_status()
                closed += 1
    return closed
