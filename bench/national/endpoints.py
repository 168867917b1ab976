"""The funders' endpoints of the national programme, on a quiet model and while a second
writer (writer.py) saves its training events at a steady rate; a page of each figure's events
with the keyset cursors the pages take."""

from __future__ import annotations

import contextlib
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from typing import Any, Iterator
from urllib.parse import quote

import requests

from bench import ceilings, past, pipeline
from services.reporting.figures import behind
from tests.conftest import ROOT
from tests.faults.platform import Platform


def endpoint_latency(platform: Platform, token: str, programme: str, connections: int,
                     seconds: float) -> dict[str, Any]:
    """The static /healthz, then every funder endpoint of `programme` (pipeline.ENDPOINTS),
    each at `connections` for `seconds`; the dashboard with a login form's session."""
    web = platform.web("reporting")
    auth = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {"static": ceilings.http_load(f"{web}/healthz", {}, connections,
                                                        seconds)}
    for name, path in pipeline.ENDPOINTS.items():
        if name == "dashboard":
            url = f"{web}/v1/dashboard/{programme}"
            headers = pipeline.session(web, token, programme)
        else:
            url, headers = f"{web}/v1/programmes/{programme}/{path}", auth
        out[name] = _load(platform, name, url, headers, connections, seconds)
    return out


NO_ANSWER_MS = 60_000.0  # ceilings.http_load's client timeout


def _load(platform: Platform, name: str, url: str, headers: dict[str, str],
          connections: int, seconds: float) -> dict[str, Any]:
    """ceilings.http_load; when no connection got a single answer (each client stops at its
    first error: a 60 s timeout or a dropped connection), the p99 is set to that timeout
    as a lower bound and the line says so, instead of the run stopping there."""
    try:
        return ceilings.http_load(url, headers, connections, seconds)
    except (IndexError, requests.RequestException):  # the warm-up request's timeout too
        platform.check_alive(f"the {name} endpoint at {connections} connections")
        return {"requests": 0, "errors": connections, "per_s": 0.0, "p50_ms": NO_ANSWER_MS,
                "p99_ms": NO_ANSWER_MS, "no_answer": True}


@contextlib.contextmanager
def steady_writer(platform: Platform, course_id: str, schools: int, rate: int,
                  seconds: float, first: int) -> Iterator[dict[str, Any]]:
    """bench.national.writer in a process of its own for `seconds`; on leaving, its figures,
    once every event it saved is in the read model, with the projection lag's p50/p99 over
    the window (reporting's histogram)."""
    out: dict[str, Any] = {}
    before = ceilings.histogram(platform.web("reporting"), "baqylau_projection_lag_seconds")
    processed = pipeline.count(platform, "SELECT count(*) FROM {s}.processed")
    writer = subprocess.Popen(
        [sys.executable, "-m", "bench.national.writer",
         json.dumps(platform.configs["training"]["EVENT_STORE"]), course_id, str(schools),
         str(rate), str(seconds), str(first)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2)  # the writer's first saves are in flight before anything is measured
        yield out
        writer.terminate()  # measured: the writer stops after the save in hand
        stdout, _ = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    if writer.returncode != 0 or not stdout.strip():
        raise RuntimeError(f"the steady writer exited with {writer.returncode}")
    out.update(json.loads(stdout.strip().splitlines()[-1]))
    wait = pipeline.wait_until(lambda: pipeline.count(
        platform, "SELECT count(*) FROM {s}.processed") >= processed + out["events"],
        timeout=900, poll=0.5)
    window = ceilings.subtract(ceilings.histogram(
        platform.web("reporting"), "baqylau_projection_lag_seconds"), before)
    out.update({"drained_after_s": wait, "lag_p50_s": ceilings.quantile(window, 0.5),
                "lag_p99_s": ceilings.quantile(window, 0.99)})


def event_pages(platform: Platform, token: str, programme: str, moment: datetime,
                heads: dict[str, int], pages: int, sampler: pipeline.RssSampler
                ) -> dict[str, Any]:
    """As bench/past.py's event_pages, with the keyset cursors the pages take now (an
    offset is refused): each figure's first page, then `pages` pages from cursors at random
    places of the log its events come from, live and as of `moment`; reporting's RSS
    sampled meanwhile."""
    base = f"{platform.web('reporting')}/v1/programmes/{programme}/figures"
    auth = {"Authorization": f"Bearer {token}"}
    rng = random.Random(20)
    before = sampler.now()["reporting"]
    live: list[float] = []
    as_of: list[float] = []
    counts = {}
    with pipeline.sampling(sampler):
        for figure in behind.figures():
            elapsed, first = past._timed_get(f"{base}/{figure}/events?limit=100", auth)
            live.append(elapsed)
            counts[figure] = first["count"]
            key = behind.after_key(first["next_after"]) if first["next_after"] else None
            for _ in range(pages if key else 0):
                # a cursor names its source as the read model does ("training")
                place = rng.randrange(max(1, heads.get(key[0].rsplit("/", 1)[-1], 1)))
                after = behind.cursor(key[0], place, "", "")
                elapsed, _ = past._timed_get(f"{base}/{figure}/events?limit=100"
                                             f"&after={after}", auth)
                live.append(elapsed)
                when = quote((moment + timedelta(microseconds=rng.randrange(10**6)))
                             .isoformat())
                elapsed, _ = past._timed_get(f"{base}/{figure}/events?limit=100"
                                             f"&after={after}&as_of={when}", auth)
                as_of.append(elapsed)
    return {"live": past._ms(live), "as_of": past._ms(as_of or live),
            "all": past._ms(live + as_of), "events_behind": counts, "rss_before_mib": before,
            "rss_peak_mib": sampler.peak["reporting"],
            "rss_after_mib": ceilings.rss_mib(platform.processes["reporting"].pid)}
