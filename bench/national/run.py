"""`make bench-national`: a whole country's school year on one machine (issue 35, item 1).

1. The national data set (bench/national/data.py, people.py) saved through the services'
   Applications into new stores: at BENCH_NATIONAL_SCALE [1.0], 7,687 schools, 350,000
   teachers, 3.5 million pupils scored twice in three subjects (about 21 million score rows).
2. The five services started on those stores (bench/pipeline.py's settings), every relay and
   follower at its log's head, so that the read model is built by `rebuild`, measured first.
3. Beside ceilings of the same run: rebuild (events and score rows), every funder endpoint
   at BENCH_CONNECTIONS [50] for BENCH_HTTP_SECONDS [10] on a quiet model and while
   BENCH_NATIONAL_RATE [1000] events/s flow in, a page of each figure's events, reports as of
   BENCH_PAST_MOMENTS [6] new moments, the outcomes with intervals uncached, reconciliation,
   every service's RSS (reporting restarted, and reconciliation failed, past
   BENCH_NATIONAL_RSS_LIMIT_MIB [6144]). One table, goals met or missed;
   bench/results/national-latest.json (written also when a run stops early).
BENCH_PROFILE=1: py-spy on every service per phase (bench/results/profiles/national/).
Needs `make up`; `make bench-national` does that and stops the demo services.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Iterator  # noqa: E402

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench import ceilings, past, pipeline  # noqa: E402
from bench.national import data, endpoints, fill, measure  # noqa: E402
from bench.national.table import print_missed, print_table, table  # noqa: E402
from bench.profiles import Profiles  # noqa: E402
from bench.settings import setting  # noqa: E402
from tests.faults.platform import PSEUDONYM_KEY, SERVICES, Platform, ServiceDied  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "results"


def step(text: str) -> None:
    print(f"[bench-national {time.strftime('%H:%M:%S')}] {text}", flush=True)


@contextlib.contextmanager
def phase(out: dict[str, Any], name: str, text: str, survive: bool = False
          ) -> Iterator[None]:
    """A timed phase. With `survive`, a failure (a timeout, an answer not 200) is recorded
    in out["errors"] and the run goes on: the table prints the phase's goals as missed."""
    step(text)
    started = time.monotonic()
    try:
        yield
    except ServiceDied:
        raise
    except Exception as exc:
        if not survive:
            raise
        out["errors"][name] = f"{type(exc).__name__}: {exc}"[:2000]
        step(f"  {name} FAILED: {out['errors'][name][:300]}")
    finally:
        out["phases"][name] = round(time.monotonic() - started, 1)
        step(f"  {name}: {out['phases'][name]:,.1f} s")


def start_platform(workdir: Path, amqp_uri: str, stores: dict[str, dict[str, Any]]
                   ) -> Platform:
    """As pipeline.start (production relay and catch-up settings) on the filled stores; the
    services it launched are stopped if one of them fails to start."""
    order = iter(SERVICES)
    platform = Platform(workdir, amqp_uri, lambda: stores[next(order)])
    for name, config in platform.configs.items():
        if "RELAY" in config:
            config["RELAY"]["poll_interval"] = 1.0
        if name == "reporting":
            config["READ_MODEL"]["catch_up_interval"] = 30
    try:
        platform.start_all()
    except BaseException:
        platform.stop_all()
        raise
    return platform


def national(rabbit: Any, profiles: Profiles, scale: float, out: dict[str, Any]) -> None:
    """Fills `out` as it goes: a run that stops early leaves what it measured."""
    from tests.conftest import throwaway_databases, throwaway_vhost

    with throwaway_vhost(rabbit, "baqylau_bench_national") as amqp_uri, \
            throwaway_databases() as new_database, tempfile.TemporaryDirectory() as workdir:
        stores = {name: new_database() for name in SERVICES}
        sizes = data.Sizes.at(scale)
        with phase(out, "fill", f"filling the stores at scale {scale}: {sizes}"):
            out["fill"] = fill.fill(stores, sizes, PSEUDONYM_KEY, say=step)
        out["heads"] = measure.start_at_heads(stores)
        with phase(out, "start", "starting the five services on the filled stores"):
            platform = start_platform(Path(workdir), amqp_uri, stores)
        try:
            measured(platform, stores, sizes, out, profiles)
        finally:
            platform.stop_all()


def measured(platform: Platform, stores: dict[str, dict[str, Any]], sizes: data.Sizes,
             out: dict[str, Any], profiles: Profiles) -> None:
    pids = {name: process.pid for name, process in platform.processes.items()}
    sampler = pipeline.RssSampler(platform)
    rss: dict[str, Any] = {"idle": {"start": sampler.now()}, "peaks": {}}
    out["rss"] = rss
    out["events_stored"] = pipeline.events_stored(platform)
    with phase(out, "ceilings", f"ceilings: sequential read of {out['events_stored']:,} "
               "events, and of the score sheets"):
        out["sequential_read"] = ceilings.sequential_read(
            {name: stores[name] for name in measure.SOURCES})
        out["score_rows_read"] = measure.score_rows_read(stores["assessment"])
    with phase(out, "rebuild", "rebuild of the read model from the event stores"), \
            profiles.phase("rebuild", pids), \
            measure.source_finishes(platform, out["heads"]) as finished:
        rebuild = pipeline.rebuild(platform, sampler)
    rebuild["source_finished_s"] = finished
    rebuild["score_rows"] = pipeline.count(platform, "SELECT count(*) FROM {s}.scores")
    rebuild["assessment_seconds"] = measure.share_of("assessment", finished) \
        or rebuild["seconds"]
    rebuild["score_rows_per_s"] = rebuild["score_rows"] / rebuild["assessment_seconds"]
    out["rebuild"], rss["peaks"]["rebuild"] = rebuild, dict(sampler.peak)
    eventlet.sleep(3)
    rss["idle"]["after_rebuild"] = sampler.now()
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=120) as rpc:
        token = rpc.reporting.issue_token(funder_id=data.MINISTRY)["token"]
    quiet_http(platform, token, out, profiles, pids, sampler)
    with phase(out, "outcomes", "the national programme's outcomes with intervals, uncached",
               survive=True):
        out["outcomes"] = measure.outcomes_uncached(platform, data.PROGRAMME,
                                                    setting("OUTCOME_RUNS", 3))
    # Before the steady writer adds its events: the national year itself is reconciled.
    with phase(out, "reconcile", "reconciliation of the whole year from the logs",
               survive=True), profiles.phase("reconcile", pids):
        out["reconcile"] = measure.reconcile(platform, sampler)
        rss["peaks"]["reconcile"] = out["reconcile"]["rss_peak_mib"]
    busy_http(platform, token, sizes, out, profiles, pids, sampler)
    past_figures(platform, token, out, profiles, pids, sampler)
    eventlet.sleep(3)
    rss["idle"]["end"] = sampler.now()


CONNECTIONS = setting("CONNECTIONS", 50)
HTTP_SECONDS = setting("HTTP_SECONDS", 10)


def quiet_http(platform: Platform, token: str, out: dict[str, Any], profiles: Profiles,
               pids: dict[str, int], sampler: pipeline.RssSampler) -> None:
    with phase(out, "http", f"every endpoint at {CONNECTIONS} connections, quiet model",
               survive=True), profiles.phase("http", pids), pipeline.sampling(sampler):
        out["http"] = endpoints.endpoint_latency(platform, token, data.PROGRAMME, CONNECTIONS,
                                               HTTP_SECONDS)
    out["rss"]["peaks"]["http"] = dict(sampler.peak)


def busy_http(platform: Platform, token: str, sizes: data.Sizes, out: dict[str, Any],
              profiles: Profiles, pids: dict[str, int], sampler: pipeline.RssSampler) -> None:
    """The same endpoints while a second writer saves the national programme's training
    events at BENCH_NATIONAL_RATE: each batch applied empties the programme's answers."""
    rate = setting("NATIONAL_RATE", 1000)
    longest = (len(pipeline.ENDPOINTS) + 1) * (HTTP_SECONDS + 2 * endpoints.NO_ANSWER_MS / 1000)
    with phase(out, "http_busy", f"the same while {rate:,} events/s flow in", survive=True), \
            profiles.phase("http-busy", pids), pipeline.sampling(sampler), \
            endpoints.steady_writer(platform, out["fill"]["training"]["course_id"],
                                  sizes.schools, rate, longest + 60,
                                  first=sizes.teachers) as writer:
        out["busy_writer"] = writer
        out["http_busy"] = endpoints.endpoint_latency(platform, token, data.PROGRAMME,
                                                    CONNECTIONS, HTTP_SECONDS)
    out["rss"]["peaks"]["http_busy"] = dict(sampler.peak)


def past_figures(platform: Platform, token: str, out: dict[str, Any], profiles: Profiles,
                 pids: dict[str, int], sampler: pipeline.RssSampler) -> None:
    measure.aim_past_at(data.PROGRAMME)
    began, ended = out["fill"]["training_began"], out["fill"]["ended"]
    moments = past.spread(began, ended, setting("PAST_MOMENTS", 6))
    out["past"] = {}
    with phase(out, "past", "reports as of new past moments; pages of every figure's events",
               survive=True), profiles.phase("past", pids):
        out["past"]["moments"] = past.past_moments(platform, token, moments)
        out["past"]["pages"] = endpoints.event_pages(
            platform, token, data.PROGRAMME, began + (ended - began) / 2, out["heads"],
            setting("EVENT_PAGES", 5), sampler)
        out["rss"]["peaks"]["past"] = {"reporting": out["past"]["pages"]["rss_peak_mib"]}


def main() -> None:
    from nameko.testing.rabbit import Client as RabbitManager

    started = time.monotonic()
    scale = float(os.environ.get("BENCH_NATIONAL_SCALE", "1.0"))
    profiles = Profiles(os.environ.get("BENCH_PROFILE") == "1",
                        RESULTS / "profiles" / "national")
    rabbit = RabbitManager(os.environ.get("RABBIT_CTL_URI",
                                          "http://guest:guest@127.0.0.1:15672"))
    out: dict[str, Any] = {"scale": scale, "phases": {}, "errors": {}}
    rows: list[dict[str, Any]] = []
    try:
        national(rabbit, profiles, scale, out)
        rows = table(out)
        print_table(rows)
        print_missed(rows, profiles)
        summary(out)
    finally:
        RESULTS.mkdir(exist_ok=True)
        out["seconds"] = round(time.monotonic() - started, 1)
        (RESULTS / "national-latest.json").write_text(json.dumps(
            {"table": rows, "national": out, "machine": {"cores": os.cpu_count()}},
            indent=2, default=str))
        step(f"{'done' if rows else 'STOPPED'} after {out['seconds']:,.0f} s; "
             "bench/results/national-latest.json written")


def summary(out: dict[str, Any]) -> None:
    writer = out.get("busy_writer", {})
    print(f"\nscale {out['scale']}: {out['events_stored']:,} events, "
          f"{out['rebuild']['score_rows']:,} score rows; the writer reached "
          f"{writer.get('rate_achieved', 0):,.0f} events/s (lag p99 "
          f"{writer.get('lag_p99_s', float('nan')):.2f} s); phases (s): {out['phases']}")
    for name, error in out["errors"].items():
        print(f"phase {name} failed: {error}")


if __name__ == "__main__":
    main()
