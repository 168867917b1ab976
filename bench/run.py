"""First benchmark: each platform figure beside a raw ceiling measured in the same run.

- RPC command (validate + save + reply), 10 calls in flight  vs  bare nameko RPC ping
- relay publish rate (confirmed, persistent)                vs  bare kombu publish of 1 KB
  persistent messages to a durable queue, confirm per message (kombu's default with confirms)
- bulk score import, 100,000 scores over RPC (bench/assessment.py)  vs  bare eventsourcing
  save of the same 2,000-score payloads

Needs `make up`. Prints a table and writes bench/results/latest.json.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import kombu  # noqa: E402
import psycopg2  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.rpc import rpc  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench import assessment  # noqa: E402
from services.training.service import TrainingService  # noqa: E402
from tests.shared.relay_helpers import make_app, make_relay, save_enrolments  # noqa: E402

AMQP = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
ADMIN = "host=127.0.0.1 port=5433 user=postgres password=postgres dbname=postgres"
CALLS = int(os.environ.get("BENCH_CALLS", "2000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "20000"))
SCORES = int(os.environ.get("BENCH_SCORES", "100000"))
IN_FLIGHT = 10


class PingService:
    name = "ping"

    @rpc
    def ping(self) -> str:
        return "pong"


def scratch_database() -> dict:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(ADMIN)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}" OWNER training')
    conn.close()
    return {"persistence_module": "eventsourcing.postgres", "dbname": name,
            "host": "127.0.0.1", "port": 5433, "user": "training", "password": "training"}


def drop_database(store: dict) -> None:
    conn = psycopg2.connect(ADMIN)
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{store["dbname"]}" WITH (FORCE)')
    conn.close()


def rate_of_calls(make_call, n: int) -> float:
    started = time.perf_counter()
    for first in range(0, n, IN_FLIGHT):
        for reply in [make_call(i) for i in range(first, min(first + IN_FLIGHT, n))]:
            reply.result()
    return n / (time.perf_counter() - started)


def bare_rpc_ping() -> float:
    container = ServiceContainer(PingService, {"AMQP_URI": AMQP})
    container.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": AMQP}) as proxy:
            rate_of_calls(lambda i: proxy.ping.ping.call_async(), 100)  # warm up
            return rate_of_calls(lambda i: proxy.ping.ping.call_async(), CALLS)
    finally:
        container.stop()


def rpc_command() -> float:
    store = scratch_database()
    config = {"AMQP_URI": AMQP, "EVENT_STORE": store, "WEB_SERVER_ADDRESS": "127.0.0.1:0"}
    container = ServiceContainer(TrainingService, config)
    container.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": AMQP}) as proxy:
            course = proxy.training.schedule_course(
                programme_id="bench", code="C1", title="Bench", subject="s", format="online",
                audience="teacher", planned_hours="10", provider="p")

            def enrol(i: int):
                return proxy.training.enrol.call_async(
                    course_id=course["id"], participant_id=f"T-{i}", school_id="S-1",
                    role="teacher", enrolled_on="2024-09-02")

            return rate_of_calls(enrol, CALLS)
    finally:
        container.stop()
        drop_database(store)


def bare_kombu_publish() -> float:
    body = b"x" * 1024
    queue = kombu.Queue(f"bench-{uuid.uuid4().hex[:6]}", durable=True, auto_delete=False)
    with kombu.Connection(AMQP, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = kombu.Producer(channel)
        n = min(EVENTS, 5000)
        started = time.perf_counter()
        for _ in range(n):
            producer.publish(body, routing_key=queue.name, delivery_mode=2)
        rate = n / (time.perf_counter() - started)
        queue(channel).delete()
    return rate


def relay_publish() -> float:
    store = scratch_database()
    app = make_app(store)
    try:
        save_enrolments(app, EVENTS, per_save=500)
        relay = make_relay(app, store, AMQP, batch_size=500)
        total = app.last_notification_id()
        started = time.perf_counter()
        while relay.position is None or relay.position < total:
            relay.run_once()
        rate = total / (time.perf_counter() - started)
        relay.publisher.close()
        relay.positions.release()
        return rate
    finally:
        app.close()
        drop_database(store)


def score_import() -> tuple[float, dict[str, float]]:
    bare_store, store = scratch_database(), scratch_database()
    try:
        return (assessment.bare_save(bare_store, SCORES),
                assessment.bulk_import(store, AMQP, SCORES))
    finally:
        drop_database(bare_store)
        drop_database(store)


def main() -> None:
    bare_scores, platform_scores = score_import()
    figures = {
        "bare eventsourcing save, 2,000-score events (scores/s)": bare_scores,
        "record_scores RPC, 2,000 per call (scores/s)": platform_scores["scores_per_s"],
        "record_scores RPC: events stored/s": platform_scores["events_per_s"],
        "bare nameko RPC ping (calls/s)": bare_rpc_ping(),
        "RPC command enrol (calls/s)": rpc_command(),
        "bare kombu publish, confirm each (msg/s)": bare_kombu_publish(),
        "relay publish, confirm per batch (events/s)": relay_publish(),
    }
    ratios = {
        "score import / bare eventsourcing save": platform_scores["scores_per_s"] / bare_scores,
        "RPC command / bare ping": figures["RPC command enrol (calls/s)"]
        / figures["bare nameko RPC ping (calls/s)"],
        "relay / bare kombu publish": figures["relay publish, confirm per batch (events/s)"]
        / figures["bare kombu publish, confirm each (msg/s)"],
    }
    print(f"\n{'figure':<58}{'value':>12}")
    for name, value in figures.items():
        print(f"{name:<58}{value:>12,.0f}")
    for name, value in ratios.items():
        print(f"{name:<58}{value:>12.2f}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(
        {"figures": figures, "ratios": ratios, "calls": CALLS, "events": EVENTS,
         "scores": SCORES,
         "cores": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
