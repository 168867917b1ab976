"""The drill's own safety: a service that dies unasked fails the round at once, naming it,
and a round that outlives its deadline fails saying what was pending. Never a hang."""

from __future__ import annotations

import os
import signal
import time

import eventlet
import pytest

from tests.conftest import throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform, ServiceDied
from tests.faults.rounds import DeadlinePassed, watch
from tests.faults.workload import Ledger, Load

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@pytest.fixture
def registry_only(rabbit_manager, tmp_path):
    with throwaway_vhost(rabbit_manager, "baqylau_watch") as vhost, \
            throwaway_databases() as new_database:
        platform = Platform(tmp_path, vhost, new_database, services=("registry",))
        try:
            platform.start_all()
            yield platform
        finally:
            platform.stop_all()


def endless_queries(n: int) -> list:
    def job(client) -> None:
        client.call("registry", "list_organisations", limit=10)
        eventlet.sleep(0.2)
    return [job] * n


def test_a_service_killed_behind_the_drills_back_fails_the_round_within_a_minute(
        registry_only):
    load = Load(registry_only.amqp_uri, Ledger(), endless_queries(100_000), workers=4)
    eventlet.sleep(1)
    os.kill(registry_only.processes["registry"].pid, signal.SIGKILL)  # not platform.kill
    started = time.monotonic()
    with pytest.raises(ServiceDied, match=r"registry exited \(code -9\) during the round"):
        watch(registry_only, load, 600, "the round")
    assert time.monotonic() - started < 60
    assert load.done(), "the round's load was stopped, not left running"


def test_a_round_past_its_deadline_fails_with_what_was_pending(registry_only):
    load = Load(registry_only.amqp_uri, Ledger(), endless_queries(100_000), workers=4)
    with pytest.raises(DeadlinePassed, match=r"the load did not finish in 3 s; \d+ of 100000 "
                                             r"jobs not finished"):
        watch(registry_only, load, 3, "the round")
    assert load.done()
    registry_only.check_alive("after the round")  # the service itself was fine
