"""`make bench`: every platform figure beside a raw ceiling measured in the same run.

Broker and RPC first (in this process), then the five services as `nameko run` processes on
a new vhost and new databases (bench/pipeline.py). Prints one table of figures, ceilings,
ratios and goals, and writes it to bench/results/latest.json. Sizes come from the
environment (defaults in brackets): BENCH_EVENTS [1000000] bulk-loaded events behind the
rebuild and the report, BENCH_SCORE_SCHOOLS [200] x BENCH_PUPILS [300] pupils x 2 subjects
for the score import, BENCH_LAG_RATE [1000] and BENCH_LAG_FAST_RATE [5000] events/s, each
for BENCH_LAG_SECONDS [30],
BENCH_CONNECTIONS [50] for BENCH_HTTP_SECONDS [15], BENCH_CALLS [2000] RPC calls (for the
ping, and for enrol with and for enrol without its access check, each over
BENCH_ACCESS_ROUNDS [10] alternating rounds).
Needs `make up` (the stack and its broker users); `make bench` does that.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import kombu  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench import ceilings, command_path, past, pipeline  # noqa: E402
from bench.databases import drop_database, scratch_database  # noqa: E402
from bench.profiles import Profiles  # noqa: E402
from bench.settings import ACCESS_ROUNDS, CALLS, EVENTS, RELAY_EVENTS, setting  # noqa: E402
from bench.table import print_missed, print_table, table  # noqa: E402
from shared.access.roles import OPERATORS  # noqa: E402
from tests.shared.relay_helpers import make_app, make_relay, save_enrolments  # noqa: E402


def bare_kombu_publish(amqp: str) -> float:
    body = b"x" * 1024
    queue = kombu.Queue(f"bench-{uuid.uuid4().hex[:6]}", durable=True, auto_delete=False)
    with kombu.Connection(amqp, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = kombu.Producer(channel)
        n = 5000
        started = time.perf_counter()
        for _ in range(n):
            producer.publish(body, routing_key=queue.name, delivery_mode=2)
        rate = n / (time.perf_counter() - started)
        queue(channel).delete()
    return rate


def relay_publish(amqp: str) -> float:
    store = scratch_database()
    app = make_app(store)
    try:
        save_enrolments(app, RELAY_EVENTS, per_save=500)
        relay = make_relay(app, store, amqp, batch_size=500)
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


def platform_figures(rabbit: Any, profiles: Profiles) -> dict[str, Any]:
    """Everything measured on the five running services (bench/pipeline.py)."""
    from tests.conftest import throwaway_databases, throwaway_vhost

    out: dict[str, Any] = {}
    with throwaway_vhost(rabbit, "baqylau_bench") as amqp_uri, \
            throwaway_databases() as new_database, \
            tempfile.TemporaryDirectory() as workdir:
        platform = pipeline.start(Path(workdir), amqp_uri, new_database)
        try:
            sampler = pipeline.RssSampler(platform)
            services = {name: process.pid for name, process in platform.processes.items()}
            out["rss_idle_before_mib"] = sampler.now()
            setup = pipeline.set_up_programmes(platform)
            course = setup["courses"][0]
            step("score import through RPC, until visible in the read model")
            with profiles.phase("score-import", services):
                out["score_import"] = pipeline.score_import(
                    platform, setting("SCORE_SCHOOLS", 200), setting("PUPILS", 300))
            step("projection lag at a steady rate: 1,000 and then 5,000 events/s")
            out["lag"] = pipeline.steady_lag(platform, course, setting("LAG_RATE", 1000),
                                             setting("LAG_SECONDS", 30), first=0)
            with profiles.phase("lag-fast", services):
                out["lag_fast"] = pipeline.steady_lag(
                    platform, course, setting("LAG_FAST_RATE", 5000),
                    setting("LAG_SECONDS", 30), first=5_000_000)
            step(f"bulk load of {EVENTS:,} training events through the live pipeline")
            sampler.reset()
            # In two halves: idle RSS after each shows whether memory grows with events.
            # First one full catch-up, so every service has served its log once (the score
            # sheets' 1 MB pages set assessment's high-water mark) before the first reading.
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=600) as rpc:
                rpc.reporting.catch_up()
            halves = []
            bulk_started = datetime.now(UTC)
            for half in range(2):
                with profiles.phase(f"bulk-load-{half + 1}", services):
                    halves.append(pipeline.bulk_load(platform, course, EVENTS // 2,
                                                     first=10_000_000 + half * EVENTS,
                                                     sample=sampler))
                eventlet.sleep(5)
                out[f"rss_idle_after_half_{half + 1}_mib"] = sampler.now()
            bulk_ended = datetime.now(UTC)
            out["bulk"] = pipeline.combined(halves)
            out["bulk"]["rss_peak_mib"] = dict(sampler.peak)
            out["rss_idle_after_mib"] = out["rss_idle_after_half_2_mib"]
            out["events_stored"] = pipeline.events_stored(platform)
            step(f"raw ceiling: sequential read of all {out['events_stored']:,} stored events")
            stores = {name: platform.configs[name]["EVENT_STORE"]
                      for name in ("registry", "training", "equipment", "assessment")}
            out["sequential_read"] = ceilings.sequential_read(stores)
            step("rebuild of the read model from the event stores")
            with profiles.phase("rebuild", services):
                out["rebuild"] = pipeline.rebuild(platform, sampler)
            step(f"report endpoint and static endpoint at {setting('CONNECTIONS', 50)} "
                 "connections")
            with profiles.phase("http", services):
                out["http"] = pipeline.report_latency(platform, setup["token"],
                                                      setting("CONNECTIONS", 50),
                                                      setting("HTTP_SECONDS", 15))
            step("reports as of new past moments, and pages of every figure's events")
            with profiles.phase("past", services):
                moments = past.spread(bulk_started, bulk_ended, setting("PAST_MOMENTS", 12))
                out["past"] = {
                    "report_sql_live": past.report_in_sql(platform, [None] * 5),
                    # other moments than the HTTP ones: each is asked for the first time
                    "report_sql_as_of": past.report_in_sql(
                        platform, [m - timedelta(seconds=1) for m in moments]),
                    "moments": past.past_moments(platform, setup["token"], moments),
                    "pages": past.event_pages(platform, setup["token"],
                                              bulk_started + (bulk_ended - bulk_started) / 2,
                                              setting("EVENT_PAGES", 5), sampler)}
        finally:
            platform.stop_all()
    return out


def step(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def main() -> None:
    from nameko.testing.rabbit import Client as RabbitManager

    from tests.conftest import throwaway_vhost

    started = time.monotonic()
    profiles = Profiles(os.environ.get("BENCH_PROFILE") == "1",
                        Path(__file__).parent / "results" / "profiles")
    # training and the registry run in it for the RPC command, beside their client
    this_process = {"bench": os.getpid()}
    rabbit = RabbitManager(os.environ.get("RABBIT_CTL_URI",
                                          "http://guest:guest@127.0.0.1:15672"))
    # A vhost of its own: on the shared "/" another process's `training` service would
    # answer some of the calls (seen: a course scheduled there, not found here).
    with throwaway_vhost(rabbit, "baqylau_bench_rpc") as amqp:
        principals = command_path.principals(amqp)
        step("raw ceilings: kombu publish and consume, nameko RPC ping")
        broker = {"kombu_publish": bare_kombu_publish(amqp),
                  "kombu_publish_batches": ceilings.kombu_publish_batches(amqp, RELAY_EVENTS),
                  "kombu_consume": ceilings.kombu_consume_ack(amqp, setting("CONSUME", 50_000)),
                  # The feed acks a batch at once (up to 500): its row's ceiling does too.
                  "kombu_consume_batches": ceilings.kombu_consume_ack(
                      amqp, setting("CONSUME", 50_000), ack_every=500),
                  "ping": command_path.bare_rpc_ping(principals[OPERATORS], CALLS)}
        step("RPC command with and without its access check, alternating; relay publish")
        with profiles.phase("rpc-command", this_process):
            broker.update(command_path.enrol_with_and_without_check(
                principals, CALLS, ACCESS_ROUNDS))
        with profiles.phase("relay", this_process):
            broker["relay"] = relay_publish(amqp)
    platform = platform_figures(rabbit, profiles)
    rows = table(broker, platform)
    print_table(rows)
    print_missed(rows, profiles)
    print(f"\n{command_path.access_summary(broker)}")
    print(f"\nalso: bare kombu publish with a confirm per message "
          f"{broker['kombu_publish']:,.0f} msg/s; bulk load stored "
          f"{platform['bulk']['stored_per_s']:,.0f} events/s; projection lag p50 "
          f"{platform['lag']['p50']:.3f} s; report p50 {platform['http']['report']['p50_ms']:.1f}"
          f" ms vs static {platform['http']['static']['p50_ms']:.1f} ms")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(
        {"table": rows, "broker": broker, "platform": platform,
         "machine": {"cores": os.cpu_count(), "memory_gib": round(
             os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
         "settings": {"events": EVENTS, "calls": CALLS, "access_rounds": ACCESS_ROUNDS},
         "seconds": round(time.monotonic() - started, 1)}, indent=2, default=str))
    step(f"done in {time.monotonic() - started:.0f} s; bench/results/latest.json written")


if __name__ == "__main__":
    main()
