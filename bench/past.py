"""Past moments and the events behind a figure, at the bulk load's scale (issue 20).

- A report as of a new past moment (uncached: each moment is asked once) over HTTP, against
  its goal; and the report's SQL as of past moments beside the same SQL live (like with
  like: one report each, in this process).
- A page of a figure's events, live and as of a moment, beside the static endpoint.
- Reporting's RSS while every figure's events are paged through.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import psycopg2
import requests

from bench import ceilings
from bench.pipeline import TRAINING_PROGRAMME, Platform, RssSampler, sampling
from services.reporting.figures import behind, reports
from services.reporting.figures.moments import at
from services.reporting.ingest import tables


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "max_ms": ordered[-1] * 1000}


def _timed_get(url: str, auth: dict[str, str]) -> tuple[float, Any]:
    started = time.monotonic()
    reply = requests.get(url, headers=auth, timeout=120)
    elapsed = time.monotonic() - started
    assert reply.status_code == 200, (url, reply.status_code, reply.text[:300])
    return elapsed, reply.json()


def report_in_sql(platform: Platform, moments: list[datetime | None]) -> dict[str, Any]:
    """The report's SQL with no cache in front, in this process, live (None) or as of each
    moment: like with like, one report each."""
    db = platform.configs["reporting"]["READ_MODEL"]
    conn = psycopg2.connect(host=db["host"], port=db["port"], dbname=db["dbname"],
                            user=db["user"], password=db["password"])
    samples = []
    try:
        for moment in moments:
            with conn, conn.cursor() as cur:
                started = time.monotonic()
                schema = tables.current(cur) if moment is None else at(cur, moment)
                reports.programme_report(cur, TRAINING_PROGRAMME, schema)
                samples.append(time.monotonic() - started)
    finally:
        conn.close()
    return _ms(samples)


def spread(start: datetime, end: datetime, count: int) -> list[datetime]:
    return [start + (end - start) * (k + 1) / count for k in range(count)]


def past_moments(platform: Platform, token: str, moments: list[datetime]) -> dict[str, Any]:
    """Each moment asked once (none was asked before), oldest first, over HTTP."""
    url = f"{platform.web('reporting')}/v1/programmes/{TRAINING_PROGRAMME}/report"
    auth = {"Authorization": f"Bearer {token}"}
    samples, trained = [], []
    for moment in moments:
        elapsed, body = _timed_get(f"{url}?as_of={quote(moment.isoformat())}", auth)
        samples.append(elapsed)
        trained.append(next((i["actual"] for i in body["indicators"]
                             if i["indicator"] == "teachers_trained"), None))
    return {**_ms(samples), "teachers_trained_at_each": trained}


def _random_place(first: dict[str, Any], rng: random.Random) -> str:
    """A cursor at a random place in a figure's lines: after a notification id drawn between
    its first page's first event and as many ids past it as the figure has lines (a
    figure's events are close together in their service's log), so that pages start
    anywhere, as a client's next_after would, and none is read from the start."""
    events = first["events"]
    if not events:
        return ""
    head = events[0]
    nid = head["notification_id"] + rng.randrange(max(1, first["count"]))
    # The API names a source as its envelope does ("/baqylau/training"), the read model
    # and its cursors by the service alone ("training").
    return behind.cursor(head["source"].rsplit("/", 1)[-1], nid, head.get("part"), "")


def event_pages(platform: Platform, token: str, moment: datetime, pages: int,
                sampler: RssSampler) -> dict[str, Any]:
    """Pages of 100 of every figure's events at random places, live and as of `moment`,
    while reporting's RSS is sampled every half second."""
    web = platform.web("reporting")
    auth = {"Authorization": f"Bearer {token}"}
    base = f"{web}/v1/programmes/{TRAINING_PROGRAMME}/figures"
    rng = random.Random(20)
    before = sampler.now()["reporting"]
    live, past, counts = [], [], {}
    with sampling(sampler):
        for figure in behind.figures():
            elapsed, first = _timed_get(f"{base}/{figure}/events?limit=100", auth)
            live.append(elapsed)
            counts[figure] = first["count"]
            for _ in range(pages):
                after = _random_place(first, rng)
                elapsed, _body = _timed_get(f"{base}/{figure}/events?limit=100&after={after}",
                                            auth)
                live.append(elapsed)
                as_of = quote((moment + timedelta(microseconds=rng.randrange(10**6))).isoformat())
                elapsed, _body = _timed_get(
                    f"{base}/{figure}/events?limit=100&after={after}&as_of={as_of}", auth)
                past.append(elapsed)
    return {"live": _ms(live), "as_of": _ms(past), "all": _ms(live + past),
            "events_behind": counts, "rss_before_mib": before,
            "rss_peak_mib": sampler.peak["reporting"],
            "rss_after_mib": ceilings.rss_mib(platform.processes["reporting"].pid)}
