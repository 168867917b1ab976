"""The broker goes away under services that are consuming each other's events: RabbitMQ is
stopped and started, and, separately, each consumer's own connections are cut from the
broker's side while messages are being acknowledged. Real `nameko run` processes on the real
RabbitMQ and PostgreSQL. Every service stays alive, the stream completes, and every fact the
callers were told about is stored once, with the cabinets and the read model that follow
from it."""

from __future__ import annotations

import random
import time

import eventlet
import pytest

from scripts.seed_equipment import RULE
from scripts.seed_registry import _Maker
from scripts.seed_registry import generate as registry_seed
from scripts.seed_training import generate as training_seed
from tests.conftest import throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform
from tests.faults.rounds import settle, watch
from tests.faults.workload import Chunk, Client, Ledger, Load, chunk_jobs, set_up

pytestmark = [pytest.mark.integration, pytest.mark.outage, pytest.mark.timeout(600)]

# Schools per stream: each is imported, joined (equipment allocates its cabinets and
# assessment learns it from the registry's events) and, in Aktobe, assessed.
SCHOOLS = 240
CONSUMERS = ("equipment", "assessment", "reporting")


@pytest.fixture(scope="module")
def platform(rabbit_manager, tmp_path_factory):
    with throwaway_vhost(rabbit_manager, "baqylau_outage") as vhost, \
            throwaway_databases() as new_database:
        platform = Platform(tmp_path_factory.mktemp("outage"), vhost, new_database)
        try:
            platform.start_all()
            ledger = Ledger()
            client = Client(vhost, ledger)
            platform.courses = set_up(client, registry_seed(), training_seed(), RULE)
            client.close()
            platform.make = _Maker(random.Random(11))
            yield platform
        finally:
            platform.stop_all()


def stream(platform: Platform, number: int) -> tuple[Ledger, Load]:
    ledger = Ledger()
    jobs = chunk_jobs(Chunk(number, SCHOOLS, 0), platform.make, platform.courses, ledger)
    return ledger, Load(platform.amqp_uri, ledger, jobs, workers=8)


def assert_nothing_lost_or_counted_twice(platform: Platform, ledger: Ledger,
                                         during: str) -> None:
    check = settle(platform, ledger, 180, during)
    assert check["problems"] == [], check
    assert check["differences"] == [], check
    assert len(ledger.joins) == SCHOOLS, "every school of the stream was acknowledged"
    assert ledger.unclear == [] and ledger.abandoned == [] and ledger.refused == []


def test_services_survive_a_broker_restart_mid_stream(platform):
    ledger, load = stream(platform, 1)
    eventlet.sleep(3)  # the stream is flowing: commands, relays and consumers all busy
    platform.restart_rabbitmq(pause=2)
    watch(platform, load, 300, "a stream across a RabbitMQ restart")
    platform.all_ready(timeout=60)
    assert_nothing_lost_or_counted_twice(platform, ledger, "settling after the restart")


def test_services_survive_their_connections_cut_mid_ack(platform):
    ledger, load = stream(platform, 2)
    cut = {name: 0 for name in CONSUMERS}
    started = time.monotonic()
    while not load.done() and time.monotonic() - started < 30:
        for name in CONSUMERS:  # one consumer at a time, while it acknowledges the stream
            cut[name] += platform.cut_connections(name)
            eventlet.sleep(random.uniform(0.05, 0.3))
            platform.check_alive(f"cutting {name}'s connections")
    watch(platform, load, 300, "a stream while consumers' connections were cut")
    print(f"connections cut: {cut}")
    assert all(n > 0 for n in cut.values()), f"every consumer had connections to cut: {cut}"
    platform.all_ready(timeout=60)
    assert_nothing_lost_or_counted_twice(platform, ledger, "settling after the cuts")

