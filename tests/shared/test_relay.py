"""The relay against the real RabbitMQ and PostgreSQL: order, exactly-once after
de-duplication, broker outages, crashes, and a single active relay per service."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import eventlet
import kombu
import pytest

from shared import metrics
from shared.contracts.envelope import Envelope
from shared.publisher import ConfirmingPublisher, events_exchange
from tests.conftest import ROOT
from tests.shared.relay_helpers import (
    declare_tap,
    drain,
    first_occurrences,
    make_app,
    make_relay,
    save_enrolments,
)

pytestmark = pytest.mark.integration

STACK = str(ROOT / "scripts" / "stack.sh")


@pytest.fixture
def amqp_uri(rabbit_config):
    return rabbit_config["AMQP_URI"]


@pytest.fixture
def app(pg_database):
    application = make_app(pg_database)
    yield application
    application.close()


def failure_count() -> float:
    return sum(sample.value for family in metrics.RELAY_FAILURES.collect()
               for sample in family.samples if sample.name.endswith("_total"))


def run_in_background(relay):
    return eventlet.spawn(relay.run_forever)


def stop(relay, thread):
    relay.stop()
    thread.wait()


def test_publishes_every_event_once_in_log_order(app, pg_database, amqp_uri):
    tap = declare_tap(amqp_uri)
    save_enrolments(app, 1200)
    relay = make_relay(app, pg_database, amqp_uri, batch_size=250, poll_interval=0.1)
    thread = run_in_background(relay)
    ids = drain(amqp_uri, tap, expected=1201)
    stop(relay, thread)
    assert ids == list(range(1, 1202))
    assert make_relay(app, pg_database, amqp_uri).positions.load() == 1201


def test_wakes_promptly_after_a_save_in_the_same_process(app, pg_database, amqp_uri):
    tap = declare_tap(amqp_uri)
    relay = make_relay(app, pg_database, amqp_uri, poll_interval=30)
    app.on_save(relay.wake)
    thread = run_in_background(relay)
    eventlet.sleep(0.3)  # the relay is now idle, waiting up to 30 s
    started = time.monotonic()
    save_enrolments(app, 1)
    ids = drain(amqp_uri, tap, expected=2, timeout=10)
    elapsed = time.monotonic() - started
    stop(relay, thread)
    assert ids == [1, 2]
    assert elapsed < 2.0


def test_wakes_promptly_when_another_process_commits_events(
        container_factory, rabbit_config, pg_database, amqp_uri):
    # A second replica or a bulk loader writes; the service's relay polls only every 60 s,
    # so only the commit trigger's NOTIFY can get the events out in time.
    from services.training.service import TrainingService
    from tests.conftest import config_for

    config = config_for(rabbit_config, pg_database)
    config["RELAY"]["poll_interval"] = 60
    container = container_factory(TrainingService, config)
    container.start()
    tap = declare_tap(amqp_uri)
    eventlet.sleep(1.0)  # the relay has found the empty log and waits up to 60 s
    other_process = make_app(pg_database)
    started = time.monotonic()
    save_enrolments(other_process, 3)
    ids = drain(amqp_uri, tap, expected=4, timeout=10)
    elapsed = time.monotonic() - started
    other_process.close()
    assert ids == [1, 2, 3, 4]
    assert elapsed < 2.0


def test_only_one_relay_per_service_publishes(app, pg_database, amqp_uri):
    tap = declare_tap(amqp_uri)
    relays = [make_relay(app, pg_database, amqp_uri, batch_size=50, poll_interval=0.1)
              for _ in range(2)]
    threads = [run_in_background(r) for r in relays]
    save_enrolments(app, 600)
    ids = drain(amqp_uri, tap, expected=601)
    for relay, thread in zip(relays, threads, strict=True):
        stop(relay, thread)
    assert ids == list(range(1, 602))


def test_resumes_without_a_gap_after_the_relay_process_is_killed_mid_batch(
        app, pg_database, amqp_uri, tmp_path):
    tap = declare_tap(amqp_uri)
    save_enrolments(app, 2000)
    marker = tmp_path / "confirmed"
    config = {"store": pg_database, "amqp_uri": amqp_uri, "batch_size": 300,
              "crash_after_batches": 3, "marker": str(marker)}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "shared" / "relay_process.py"),
         json.dumps(config)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "relay process died on its own"
            assert time.monotonic() < deadline, "relay process never got to batch 3"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert int(marker.read_text()) == 900  # three batches confirmed, two recorded

    relay = make_relay(app, pg_database, amqp_uri, batch_size=300, poll_interval=0.1)
    assert relay.positions.load() == 600
    thread = run_in_background(relay)
    ids = drain(amqp_uri, tap, expected=2001)
    stop(relay, thread)
    assert first_occurrences(ids) == list(range(1, 2002))
    duplicates = len(ids) - len(set(ids))
    assert duplicates == 300  # exactly the confirmed-but-unrecorded batch, nothing more


@pytest.mark.outage
def test_survives_a_broker_outage_while_commands_keep_arriving(app, pg_database, amqp_uri):
    tap = declare_tap(amqp_uri)
    relay = make_relay(app, pg_database, amqp_uri, batch_size=100, poll_interval=0.1,
                       max_backoff=1.0)
    app.on_save(relay.wake)
    thread = run_in_background(relay)
    stored = {"count": 0}
    keep_writing = eventlet.event.Event()

    def write_commands():
        while not keep_writing.ready():
            save_enrolments(app, 10, start=stored["count"], per_save=10)
            stored["count"] += 10
            eventlet.sleep(0.02)

    failures_before = failure_count()
    writer = eventlet.spawn(write_commands)
    eventlet.sleep(1.0)
    subprocess.run(["bash", STACK, "rabbit-down"], check=True)
    during_outage_from = stored["count"]
    eventlet.sleep(2.0)
    subprocess.run(["bash", STACK, "rabbit-up"], check=True)
    eventlet.sleep(1.0)
    keep_writing.send(True)
    writer.wait()
    assert stored["count"] > during_outage_from + 50, "commands kept arriving during the outage"
    assert failure_count() > failures_before, "the relay noticed the outage and backed off"
    total = app.last_notification_id()
    ids = drain(amqp_uri, tap, expected=total, timeout=60)
    stop(relay, thread)
    assert first_occurrences(ids) == list(range(1, total + 1))
    assert len(ids) - len(set(ids)) <= 100  # at most one batch re-published


def test_a_batch_goes_to_the_broker_in_one_write_and_is_confirmed(amqp_uri):
    publisher = ConfirmingPublisher(amqp_uri, "coalesce")
    envelopes = [Envelope(source="/baqylau/coalesce", type="Tested", time=datetime.now(UTC),
                          subject="s", schemaversion=1, notificationid=n, subjectversion=1,
                          data={"n": n}) for n in range(1, 201)]
    queue = kombu.Queue("coalesce-test", exchange=events_exchange("coalesce"), routing_key="#",
                        durable=False, auto_delete=False)
    with kombu.Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
        publisher.publish_batch(envelopes[:1])  # connects; what it writes is not counted
        writes = []
        transport = publisher._conn.connection.transport
        send = transport._write
        transport._write = lambda data: (writes.append(len(data)), send(data))[1]
        try:
            publisher.publish_batch(envelopes[1:])
        finally:
            transport._write = send
            publisher.close()
        assert len(writes) == 1  # 199 messages' frames, one sendall
        received = []
        with connection.Consumer(queue, callbacks=[lambda body, m: (received.append(
                body["notificationid"]), m.ack())]):
            deadline = time.monotonic() + 10
            while len(received) < 200 and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    connection.drain_events(timeout=1)
        queue(connection.default_channel).delete()
    assert received == list(range(1, 201)), "not every message arrived, in order, in 10 s"
