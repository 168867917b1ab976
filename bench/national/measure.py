"""The national run's measurements that bench/pipeline.py and bench/past.py do not have: the
stores placed at their heads before the services start, the score rows' ceiling, each
source's share of the rebuild, the outcomes with intervals uncached, and reconciliation
(the endpoints are in endpoints.py)."""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from typing import Any, Iterator

import eventlet
import psycopg2
from nameko.standalone.rpc import ClusterRpcProxy

from bench import ceilings, past, pipeline
from bench.settings import setting
from services.reporting.figures import outcomes
from services.reporting.ingest import tables
from shared.config import postgres_dsn
from shared.positions import PostgresPositionStore
from tests.faults.platform import Platform

SOURCES = ("registry", "equipment", "assessment", "training")
FOLLOWERS = ("equipment", "assessment", "training")  # each follows the registry's log


def _connect(store: dict[str, Any]) -> Any:
    return psycopg2.connect(host=store["host"], port=store["port"], user=store["user"],
                            password=store["password"], dbname=store["dbname"],
                            connect_timeout=10)


def log_head(store: dict[str, Any], name: str) -> int:
    conn = _connect(store)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"SELECT coalesce(max(notification_id), 0) FROM {name}_events")
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def start_at_heads(stores: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Before the services start on the filled stores: each relay and each follower of the
    registry at its log's head, and reporting's (empty) live model past every log, so that
    nothing replays the national year on start; `rebuild` then reads it all, first."""
    heads = {name: log_head(stores[name], name) for name in SOURCES}
    for name in SOURCES:
        positions = PostgresPositionStore(postgres_dsn({"EVENT_STORE": stores[name]}), name)
        positions.save(heads[name])
        positions.release()
    for name in FOLLOWERS:
        positions = PostgresPositionStore(postgres_dsn({"EVENT_STORE": stores[name]}),
                                          f"{name} follows registry")
        positions.save(heads["registry"])
        positions.release()
    conn = _connect(stores["reporting"])
    try:
        with conn, conn.cursor() as cur:
            schema = tables.ensure_current(cur)
            for name in SOURCES:
                cur.execute(tables.q("DELETE FROM {s}.watermarks WHERE source = %s", schema),
                            (name,))
                cur.execute(tables.q("INSERT INTO {s}.watermarks (source, after)"
                                     " VALUES (%s, %s)", schema), (name, heads[name]))
    finally:
        conn.close()
    return heads


def score_rows_read(store: dict[str, Any]) -> dict[str, float]:
    """Score rows/s of a plain sequential read of assessment's stored grade sheets, each
    sheet's stored public record decoded: what any rebuild of the scores must at least do."""
    rows, started = 0, time.perf_counter()
    conn = _connect(store)
    try:
        with conn, conn.cursor(name="bench_scores") as cur:
            cur.itersize = 2000
            cur.execute("SELECT public FROM assessment_events WHERE topic LIKE"
                        " '%ScoresRecorded' ORDER BY notification_id")
            for (public,) in cur:
                rows += len(json.loads(public)["data"]["scores"])
    finally:
        conn.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


# ---------------------------------------------------------------- in-process figures
def aim_past_at(programme: str) -> None:
    """bench/past.py asks for the seed's scale-up programme by its module's name for it;
    the national run points that name at its own programme (nothing else reads it here)."""
    past.TRAINING_PROGRAMME = programme  # type: ignore[attr-defined]


def outcomes_uncached(platform: Platform, programme: str, runs: int) -> dict[str, Any]:
    """The programme's learning outcomes with their intervals, straight from the read
    model's SQL (no cache in front), `runs` times."""
    conn = psycopg2.connect(**pipeline.read_model_params(platform))
    samples, lines = [], []
    try:
        for _ in range(runs):
            with conn, conn.cursor() as cur:
                started = time.monotonic()
                lines = outcomes.learning_outcomes(cur, programme, tables.current(cur))
                samples.append(time.monotonic() - started)
    finally:
        conn.close()
    return {**past._ms(samples), "lines": len(lines),
            "first": lines[0] if lines else None}


RSS_LIMIT_MIB = setting("NATIONAL_RSS_LIMIT_MIB", 6144)
RECONCILE_DEADLINE = 3600.0


def reconcile(platform: Platform, sampler: pipeline.RssSampler) -> dict[str, Any]:
    """reporting.reconcile over RPC, its RSS watched: past BENCH_NATIONAL_RSS_LIMIT_MIB
    (the fold holds the year in memory, and a 2-core machine is shared) or the deadline,
    reporting is killed and started again, and the phase fails saying so."""
    with pipeline.sampling(sampler):
        started = time.monotonic()
        call = eventlet.spawn(_reconcile_call, platform.amqp_uri)
        while not call.dead:
            rss = ceilings.rss_mib(platform.processes["reporting"].pid)
            late = time.monotonic() - started > RECONCILE_DEADLINE
            if rss > RSS_LIMIT_MIB or late:
                call.kill()
                platform.kill("reporting")
                platform.start("reporting")
                sampler.pids["reporting"] = platform.processes["reporting"].pid
                raise RuntimeError(
                    f"reconciliation stopped after {time.monotonic() - started:.0f} s: "
                    + (f"not done in {RECONCILE_DEADLINE:.0f} s" if late else
                       f"reporting's RSS reached {rss} MiB (limit {RSS_LIMIT_MIB} MiB)")
                    + "; reporting was restarted")
            eventlet.sleep(1)
        reply = call.wait()
        seconds = time.monotonic() - started
    return {"seconds": seconds, "events_read": reply["events_read"],
            "programmes": len(reply["programmes"]), "differences": len(reply["differences"]),
            "differences_by_kind": dict(Counter(_kind(d) for d in reply["differences"])),
            "first_differences": reply["differences"][:20], "rss_peak_mib": dict(sampler.peak)}


def _reconcile_call(amqp_uri: str) -> dict[str, Any]:
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=RECONCILE_DEADLINE + 60) as rpc:
        return rpc.reporting.reconcile()


def _kind(difference: dict[str, Any]) -> str:
    """`outcome:ROUND:GRADE:SUBJECT:split:...:matched_pupils` -> `outcome:matched_pupils`."""
    parts = str(difference.get("indicator", "")).split(":")
    return f"{parts[0]}:{parts[-1]}" if len(parts) > 1 else parts[0]


@contextlib.contextmanager
def source_finishes(platform: Platform, heads: dict[str, int]) -> Iterator[dict[str, float]]:
    """While a rebuild runs: when the new model's watermark of each source reached its log's
    head, in seconds from the start (the sources are read one after another, so each one's
    share of the rebuild is the gap to the one finished before it)."""
    finished: dict[str, float] = {}
    started, running = time.monotonic(), [True]
    began_ms = int(time.time() * 1000) - 1000  # the new schema is named by its start

    def watch() -> None:
        conn = psycopg2.connect(**pipeline.read_model_params(platform))
        conn.autocommit = True
        try:
            while running and len(finished) < len(heads):
                with conn.cursor() as cur:
                    cur.execute("SELECT max(nspname) FROM pg_namespace WHERE nspname"
                                " ~ '^rm_[0-9]+$' AND nspname >= %s", (f"rm_{began_ms}",))
                    schema = cur.fetchone()[0]
                    if schema is not None:
                        cur.execute(tables.q("SELECT source, after FROM {s}.watermarks",
                                             schema))
                        for source, after in cur.fetchall():
                            if after >= heads.get(source, 0) and source not in finished:
                                finished[source] = time.monotonic() - started
                eventlet.sleep(0.25)
        except psycopg2.Error:
            pass  # the schema switched or went: what was seen stands
        finally:
            conn.close()

    thread = eventlet.spawn(watch)
    try:
        yield finished
    finally:
        running.clear()
        thread.wait()


def share_of(source: str, finished: dict[str, float]) -> float | None:
    """Seconds the rebuild spent on `source`: from the previous source's finish to its own."""
    if source not in finished:
        return None
    before = [t for t in finished.values() if t < finished[source]]
    return finished[source] - max(before, default=0.0)
