"""What every consumer of another service's events is tried for, against the real RabbitMQ
and PostgreSQL (shared/poison.py, shared/follow.py): each service's tests call these with
its own way of failing and of showing that an event was applied."""

from __future__ import annotations

import contextlib
import time
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import kombu
import psycopg2
import requests
from nameko.standalone.rpc import ServiceRpcProxy
from prometheus_client.parser import text_string_to_metric_families

from services.registry.service import RegistryService
from shared.publisher import events_exchange
from tests.conftest import config_for, dsn_of

# Small on purpose: the whole suite has a time budget.
POISON_CONFIG = {"DEAD_LETTERS": {"max_attempts": 3, "outage_pause": 0.1},
                 "CATCH_UP": {"interval": 60}}
CATCH_UP_INTERVAL = 2.0
CATCH_UP_CONFIG = {"CATCH_UP": {"interval": CATCH_UP_INTERVAL}}


def start_with_registry(container_factory: Any, rabbit_config: dict, pg_databases: Any,
                        service_class: type, **extra: Any) -> SimpleNamespace:
    """The consumer (first, so its queues exist before anything is published) and the
    registry, each on a new database; their RPC proxies, the consumer's store and URL."""
    store = pg_databases()
    registry_config = config_for(rabbit_config, pg_databases())
    config = config_for(rabbit_config, store, **extra)
    container_factory(service_class, config).start()
    container_factory(RegistryService, registry_config).start()
    name = service_class.name  # type: ignore[attr-defined]
    return SimpleNamespace(
        registry=ServiceRpcProxy("registry", registry_config).start(),
        consumer=ServiceRpcProxy(name, config).start(), store=store,
        web=f"http://{config['WEB_SERVER_ADDRESS']}", amqp=rabbit_config["AMQP_URI"])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 15.0,
             every: float = 0.1) -> Any:
    """`check()`'s first truthy value, asked `every` seconds; fails naming `what` after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}; last seen: {value!r}")
        time.sleep(every)


def dead_letters_counted(web: str, kind: str) -> float:
    """baqylau_dead_letters_total{kind} as the service's /metrics says."""
    text = requests.get(f"{web}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "baqylau_dead_letters_total" and sample.labels == {"kind": kind}:
                return sample.value
    return 0.0


def failing(monkeypatch: Any, owner: type, method: str, fails: Callable[..., bool],
            error: Callable[[], Exception]) -> dict[str, int]:
    """Make `owner.method` raise `error()` while `fails(*args)` says so; counts the calls
    that `fails` picked out ("calls") and those of them that went through ("applied")."""
    real = getattr(owner, method)
    seen = {"calls": 0, "applied": 0}

    def flaky(self: Any, *args: Any, **kwargs: Any) -> Any:
        picked = fails(*args, **kwargs)
        if picked is None:
            return real(self, *args, **kwargs)
        seen["calls"] += 1
        if picked:
            raise error()
        result = real(self, *args, **kwargs)
        seen["applied"] += 1
        return result

    monkeypatch.setattr(owner, method, flaky)
    return seen


def publish_unreadable(amqp: str, source: str, event_type: str) -> None:
    with kombu.Connection(amqp) as connection:
        connection.Producer().publish(
            '{"not": "an envelope"}', exchange=events_exchange(source), routing_key=event_type,
            content_type="application/json", content_encoding="utf-8",
            declare=[events_exchange(source)])


def versions_stored(store: dict, service: str, originator_id: Any) -> int:
    """How many events the service's own store holds for one aggregate."""
    with psycopg2.connect(dsn_of(store)) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {service}_events WHERE originator_id = %s",
                    (str(originator_id),))
        count = int(cur.fetchone()[0])
    conn.close()
    return count


@contextlib.contextmanager
def queues_missing(amqp: str, source: str, queues: dict[str, str]) -> Iterator[None]:
    """While inside, `queues` ({queue name: event type}) are unbound from the source's
    exchange: whatever it publishes meanwhile never reaches them, as after a purge."""
    exchange = events_exchange(source)
    with kombu.Connection(amqp) as connection:
        channel = connection.channel()
        bound = [kombu.Queue(name, exchange, routing_key=event_type, durable=True)(channel)
                 for name, event_type in queues.items()]
        for queue in bound:
            queue.unbind_from(exchange, routing_key=queue.routing_key)
        try:
            yield
        finally:
            for queue in bound:
                queue.bind_to(exchange, routing_key=queue.routing_key)
            channel.close()


def subscription_queues(service: str, handlers: dict[str, str], source: str = "registry"
                        ) -> dict[str, str]:
    """nameko's queue name of each handler ({method: event type}) of a service."""
    return {f"evt-{source}-{event_type}--{service}.{method}": event_type
            for method, event_type in handlers.items()}
