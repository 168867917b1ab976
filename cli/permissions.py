"""The broker's side of a grant: a principal's permissions on the vhost the command line
uses, set and removed through RabbitMQ's management API (`management_url()`), made from the
same roles the services check (shared/access/broker.py). Broker users are the broker
operator's to create; this only says when one is missing."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote

import requests

from cli.connect import PlatformError, management_url, shown, vhost
from services.catalogue import entrypoints
from shared.access.broker import TIMEOUT, apply, close_connections, permissions, withdraw


class BrokerPermissions:
    """Principals' permissions on one vhost, through the management API at `url`."""

    def __init__(self, url: str, on_vhost: str) -> None:
        self.url, self.vhost = url, on_vhost
        self.api = f"{url}/api"
        self.session = requests.Session()

    @classmethod
    def of_cli(cls) -> BrokerPermissions:
        """The management API and vhost of the command line's own connection."""
        return cls(management_url(), vhost())

    def user_exists(self, principal: str) -> bool:
        with self.answered("asking for the broker user"):
            answer = self.session.get(f"{self.api}/users/{quote(principal, safe='')}",
                                      timeout=TIMEOUT)
            if answer.status_code == 404:
                return False
            answer.raise_for_status()
            return True

    def allow(self, principal: str, role: str, changed: bool = False) -> int:
        """Give `principal` exactly what `role` may do on the vhost; if its role `changed`,
        close its open connections (they would keep the former role's rights a while).
        How many were closed."""
        with self.answered("setting the permissions (the registry's grant is recorded; run "
                           "the same command again)"):
            apply(self.session, self.api, self.vhost, principal,
                  permissions(principal, role, entrypoints()))
            if not changed:
                return 0
            return close_connections(self.session, self.api, self.vhost, principal,
                                     "role changed")

    def remove(self, principal: str) -> int:
        """Leave `principal` no permission on the vhost and no connection open there;
        how many connections were closed."""
        with self.answered("removing the permissions (the registry's revocation is "
                           "recorded; run the same command again)"):
            return withdraw(self.session, self.api, self.vhost, principal)

    @contextmanager
    def answered(self, doing: str) -> Iterator[None]:
        """The management API's failures as one line: where, what and what to do."""
        where = f"RabbitMQ's management API at {shown(self.url)}"
        try:
            yield
        except requests.HTTPError as exc:
            status = exc.response.status_code
            if status == 401:
                raise PlatformError(
                    f"{where} refused its credentials while {doing}: set "
                    "RABBITMQ_MANAGEMENT_URL to an administrator's "
                    "(http://USER:PASSWORD@HOST:15672), or pass --no-broker") from None
            raise PlatformError(f"{where} answered {status} while {doing}: "
                                f"{exc.response.text.strip()[:200]}") from None
        except requests.RequestException as exc:
            raise PlatformError(f"{where} is not reachable ({type(exc).__name__}) while "
                                f"{doing}; start RabbitMQ (`make up`), set "
                                "RABBITMQ_MANAGEMENT_URL, or pass --no-broker") from None
