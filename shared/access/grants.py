"""The grants every replica holds: who may call, in which role, for which programmes.

Grants are facts in the registry (`grant_access`, `revoke_access`; services/registry/
access.py). Each replica of each service keeps the current ones in memory and asks the
registry for them again every `ACCESS.refresh` seconds (1 by default), and at once when a
principal it does not know calls (callers that miss together share one asking): so a grant
is usable as soon as the registry has stored it, and a revocation is in force on every
replica within about a second. A subscription would not do: a service's replicas share one
queue, so one replica would hear of a revocation and the others not.

When the registry cannot be asked, the last grants asked stay in force for MAX_AGE (60 s)
and the failure is counted; past that, or before the registry was ever reached, outside
callers are answered `Unavailable` (fail closed: a revocation cannot go unheard for ever).
Operators and the platform's own services are known without asking: their names come from
the configuration (`ACCESS.operators`, else the environment's
BAQYLAU_OPERATORS, else "operators"; `ACCESS.services`, else the five services' names).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import eventlet
from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge

from shared.access.roles import ALL_PROGRAMMES, OPERATORS, SERVICE, SERVICES
from shared.calling import ClusterRpcProxy
from shared.config import amqp_uri

log = logging.getLogger(__name__)

REFRESH = 1.0      # seconds between two askings of the registry
FETCH_TIMEOUT = 5.0
BACKOFF_CAP = 10.0
# Grants older than this are not trusted: a registry away for longer leaves outside callers
# refused (Unavailable) rather than a revocation unheard for ever.
MAX_AGE = 60.0
MISS_GAP = 0.1   # an unknown caller asks the registry at most this often, per replica
MISS_WAIT = 1.0  # and waits this long at most for an asking already under way

GRANTS_HELD = Gauge("baqylau_access_grants", "Grants in force this replica holds", ["service"])
GRANTS_AGE = Gauge("baqylau_access_grants_age_seconds",
                   "Seconds since this replica last had the registry's grants", ["service"])
REFRESH_FAILURES = Counter("baqylau_access_refresh_failures_total",
                           "Askings of the registry's grants that failed", ["service"])


@dataclass(frozen=True)
class Grant:
    principal: str
    role: str
    programmes: frozenset[str]

    @property
    def everywhere(self) -> bool:
        return ALL_PROGRAMMES in self.programmes

    def covers(self, programme_id: str) -> bool:
        return self.everywhere or programme_id in self.programmes

    @classmethod
    def of(cls, fact: Mapping[str, Any]) -> Grant:
        return cls(fact["principal"], fact["role"], frozenset(fact["programmes"]))


def names(value: Any) -> list[str]:
    """A configured list of principal names: a list, or text separated by commas."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return [str(name) for name in value or ()]


class Book:
    """The grants of one replica, with the principals it knows without asking."""

    def __init__(self, fetch: Callable[[], Iterable[Mapping[str, Any]]], service: str,
                 operators: Iterable[str] = (OPERATORS,),
                 services: Iterable[str] = SERVICES) -> None:
        self.fetch = fetch
        self.service = service
        self.built_in = {name: Grant(name, SERVICE, frozenset({ALL_PROGRAMMES}))
                         for name in services}
        self.built_in.update({name: Grant(name, OPERATORS, frozenset({ALL_PROGRAMMES}))
                              for name in operators})
        self.grants: dict[str, Grant] = {}
        self.fetched_at: float | None = None
        self.asked_at = 0.0
        self.lock = threading.Lock()

    def current(self) -> bool:
        """Whether the grants held were asked of the registry lately (within MAX_AGE)."""
        age = self.age()
        return age is not None and age <= MAX_AGE

    def grant_of(self, principal: str) -> Grant | None:
        """The principal's grant; an outside principal's only while the grants are current:
        a revocation the registry could not tell this replica of ends here, fail closed."""
        return self.built_in.get(principal) or (
            self.grants.get(principal) if self.current() else None)

    def grant_on_miss(self, principal: str) -> Grant | None:
        """The principal's grant, asking the registry first if it is not known here: it may
        have been granted a moment ago. Callers that miss together share one asking, and a
        flood of unknown callers asks at most once per MISS_GAP."""
        grant = self.grant_of(principal)
        if grant is None:
            arrived = time.monotonic()
            eventlet.sleep(max(0.0, self.asked_at + MISS_GAP - arrived))
            self.refresh(unless_asked_since=arrived, wait=MISS_WAIT)
            grant = self.grant_of(principal)
        return grant

    def refresh(self, unless_asked_since: float | None = None,
                wait: float = FETCH_TIMEOUT) -> bool:
        if not self.lock.acquire(timeout=wait):
            return False  # the registry is slow; the grants held stay in force
        try:
            if unless_asked_since is not None and self.asked_at >= unless_asked_since:
                return True  # asked after this caller came: that answer is fresh enough
            self.asked_at = time.monotonic()
            try:
                grants = {g.principal: g for g in map(Grant.of, self.fetch())
                          if g.principal not in self.built_in}
            except Exception as exc:  # noqa: BLE001 - keep the last grants, say why
                REFRESH_FAILURES.labels(self.service).inc()
                log.warning("grants not refreshed from the registry (%s: %s); the last ones "
                            "asked stay in force for %g s at most", type(exc).__name__, exc,
                            MAX_AGE)
                return False
            self.grants = grants
            self.fetched_at = time.monotonic()
            GRANTS_HELD.labels(self.service).set(len(self.grants))
            return True
        finally:
            self.lock.release()

    def age(self) -> float | None:
        return None if self.fetched_at is None else time.monotonic() - self.fetched_at


class AccessBook(DependencyProvider):
    """Keeps a replica's `Book` fresh; every command is checked against it (caller.py).
    Subclasses say where the grants come from (`fetch`)."""

    book: Book

    def setup(self) -> None:
        config = self.container.config.get("ACCESS") or {}
        self.interval = float(config.get("refresh") or REFRESH)
        self.book = Book(self.fetch, self.container.service_name,
                         operators=names(config.get("operators") or os.environ.get(
                             "BAQYLAU_OPERATORS") or OPERATORS),
                         services=names(config.get("services") or SERVICES))
        self.running = True
        self.proxy: ClusterRpcProxy | None = None
        self.rpc: Any = None

    def start(self) -> None:
        self.container.spawn_managed_thread(self._keep_fresh)

    def stop(self) -> None:
        self.running = False

    def kill(self) -> None:
        self.running = False

    def fetch(self) -> Iterable[Mapping[str, Any]]:
        """The registry's grants, asked as this service over one connection kept open."""
        if self.proxy is None:
            proxy = ClusterRpcProxy({"AMQP_URI": amqp_uri(self.container.config)},
                                    timeout=FETCH_TIMEOUT, declare_exchange=True)
            try:
                self.rpc = proxy.start()
            except Exception:
                with contextlib.suppress(Exception):  # the half-opened one is not kept
                    proxy.stop()
                raise
            self.proxy = proxy
        try:
            return self.rpc.registry.list_access()["grants"]
        except Exception:
            self._close()  # a broken connection is not reused; the next asking opens one
            raise

    def _close(self) -> None:
        proxy, self.proxy = self.proxy, None
        if proxy is not None:
            try:
                proxy.stop()
            except Exception as exc:  # noqa: BLE001 - it is being dropped anyway
                log.debug("closing the grants connection: %s", exc)

    def _keep_fresh(self) -> None:
        failures = 0
        try:
            while self.running:
                failures = 0 if self.book.refresh() else failures + 1
                age = self.book.age()
                if age is not None:
                    GRANTS_AGE.labels(self.container.service_name).set(age)
                # A registry away is asked less often, up to every BACKOFF_CAP seconds.
                eventlet.sleep(min(self.interval * 2 ** min(failures, 4), BACKOFF_CAP))
        finally:
            self._close()

    def get_dependency(self, worker_ctx: Any) -> Book:
        return self.book

    def worker_setup(self, worker_ctx: Any) -> None:
        from shared.access.caller import enter
        enter(worker_ctx, self.book)

    def worker_teardown(self, worker_ctx: Any) -> None:
        from shared.access.caller import leave
        leave()
