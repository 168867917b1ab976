"""Every RPC command of every service, fuzzed over the real broker and PostgreSQL with
payloads drawn from its own marshmallow schema: each call is answered (a result or one of
the documented errors, never a bare RemoteError or silence), and a refused call leaves the
event store exactly as it was. Oversize requests are refused before any schema runs."""

from __future__ import annotations

import importlib
import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nameko.containers import ServiceContainer
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import find_free_port

from shared import service as shared_service
from shared.commands import MAX_COMMAND_BYTES
from shared.errors import BaqylauError, InvalidInput
from tests.conftest import throwaway_databases, throwaway_vhost
from tests.fuzz.strategies import for_schema, schema_of

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
SERVICES = {"registry": "RegistryService", "training": "TrainingService",
            "equipment": "EquipmentService", "assessment": "AssessmentService"}
# These call other services, which this test does not run: they are exercised elsewhere.
CALLS_OTHERS = {"catch_up_registry"}
OUTCOMES: Counter = Counter()  # (service, answered or error code), printed at the end


def commands(service_class: type, schemas: Any) -> dict[str, st.SearchStrategy[dict]]:
    found = {}
    for name in dir(service_class):
        method = getattr(service_class, name)
        entrypoints = getattr(method, "nameko_entrypoints", ())
        if name in CALLS_OTHERS or not any(type(e).__name__ == "Command" for e in entrypoints):
            continue
        schema = schema_of(method, schemas) or schema_of(method, shared_service)
        found[name] = st.one_of(for_schema(schema), for_schema(schema, wild=False)) \
            if schema else st.dictionaries(st.text(max_size=8), st.integers(), max_size=3)
    return found


def _service_class(name: str) -> type:
    return getattr(importlib.import_module(f"services.{name}.service"), SERVICES[name])


COMMANDS = {name: commands(_service_class(name),
                           importlib.import_module(f"services.{name}.schemas"))
            for name in SERVICES}
CASES = st.sampled_from(sorted((service, method) for service in COMMANDS
                               for method in COMMANDS[service])).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), COMMANDS[pair[0]][pair[1]]))


@pytest.fixture(scope="module")
def services(rabbit_manager):
    """All four services in one throwaway vhost, each on its own new database. Nothing
    publishes registry events to them, so only the fuzzed calls can write."""
    with throwaway_vhost(rabbit_manager, "baqylau_fuzz") as amqp_uri, \
            throwaway_databases() as new_database:
        config = {"AMQP_URI": amqp_uri}
        containers = []
        try:
            for name in SERVICES:
                container = ServiceContainer(_service_class(name), {
                    **config, "EVENT_STORE": new_database(), "RELAY": {"poll_interval": 0.5},
                    "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
                    "PSEUDONYM_KEY": "fuzzing-only-pseudonym-key-0123"})
                container.start()
                containers.append(container)
            with ClusterRpcProxy(config, timeout=30) as rpc:
                yield Proxies(rpc)
        finally:
            print(f"\nRPC fuzzing, calls by service and outcome: {sorted(OUTCOMES.items())}")
            for container in containers:
                container.stop()


class Proxies:
    """The services' RPC proxies behind a plain repr: hypothesis prints a test's arguments,
    and a nameko proxy would turn `_repr_pretty_` into an RPC call."""

    def __init__(self, rpc: Any) -> None:
        self._rpc = rpc

    def __getitem__(self, name: str) -> Any:
        return getattr(self._rpc, name)

    def __repr__(self) -> str:
        return "<the four services' RPC proxies>"


def last_id(proxy: Any) -> int:
    return proxy.notifications(after=0, limit=1)["last_notification_id"]


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(case=CASES)
def test_every_command_answers_clearly_and_a_refusal_writes_nothing(services, case):
    name, method, payload = case
    proxy = services[name]
    before = last_id(proxy)
    try:
        getattr(proxy, method)(**payload)
        OUTCOMES[name, "answered"] += 1
    except BaqylauError as exc:
        OUTCOMES[name, exc.code] += 1
        assert exc.message, exc                      # says what is wrong...
        assert last_id(proxy) == before, exc         # ...and stored nothing
    except RemoteError as exc:                       # an unhandled exception in the service
        pytest.fail(f"{name}.{method}({payload!r}) raised {exc.exc_type}: {exc.value}")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_an_oversize_request_is_refused_by_size_before_anything_runs(services, name):
    proxy = services[name]
    before = last_id(proxy)
    payload = {"programme_id": "P", "padding": "x" * (MAX_COMMAND_BYTES + 1)}
    for method in COMMANDS[name]:
        with pytest.raises(InvalidInput) as refused:
            getattr(proxy, method)(**payload)
        assert "request too large" in refused.value.message
    assert last_id(proxy) == before  # nothing stored, and the service goes on answering
