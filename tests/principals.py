"""Broker users for a test: each a principal with its role's permissions on the test's
vhost (shared/access/broker.py, as `make up` and the k8s definitions set them), deleted
afterwards. Users are broker-wide, so their names carry a random part."""

from __future__ import annotations

import secrets
import uuid
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from services.catalogue import entrypoints
from shared.access.broker import add_user
from shared.access.roles import SERVICE
from tests.conftest import RABBIT_API_URI

TIMEOUT = 10


def _api() -> tuple[str, tuple[str, str]]:
    parts = urlsplit(RABBIT_API_URI)
    return (f"{parts.scheme}://{parts.hostname}:{parts.port}/api",
            (parts.username or "guest", parts.password or "guest"))


def uri_as(amqp_uri: str, user: str, password: str) -> str:
    """`amqp_uri` (the test's vhost) with another user's credentials."""
    parts = urlsplit(amqp_uri)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def broker_users(amqp_uri: str, roles: dict[str, str]) -> Iterator[dict[str, str]]:
    """{label: role} -> {label: principal name}, and `.uris[label]`; every user has its
    role's permissions on `amqp_uri`'s vhost. A role of None: a user with no permission."""
    api, admin = _api()
    session = requests.Session()
    session.auth = admin
    vhost = urlsplit(amqp_uri).path.lstrip("/") or "/"
    tag = uuid.uuid4().hex[:6]
    names = {label: f"t{tag}-{label}" for label in roles}
    uris = {}
    catalogue = entrypoints()
    try:
        for label, role in roles.items():
            name, password = names[label], secrets.token_urlsafe(12)
            # a service's user runs the service its label names
            add_user(session, api, vhost, name, password, role, catalogue,
                     service=label if role == SERVICE else None)
            uris[label] = uri_as(amqp_uri, name, password)
        yield Principals(names, uris)
    finally:
        for name in names.values():
            session.delete(f"{api}/users/{quote(name, safe='')}", timeout=TIMEOUT)


class Principals(dict):
    def __init__(self, names: dict[str, str], uris: dict[str, str]) -> None:
        super().__init__(names)
        self.uris = uris
