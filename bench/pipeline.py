"""The platform's own figures, on all five services as real `nameko run` processes (the fault
drill's Platform: a new database each, one new RabbitMQ vhost, production relay and
catch-up settings).

- score import: `assessment.record_scores` over RPC until every score is in the funders'
  read model (counted in reporting's database);
- projection lag at a steady rate: a second writer (as a replica or a bulk loader would)
  saves training events at a fixed rate; reporting's own lag histogram gives p50/p99;
- a bulk load of a million events, generated with the training domain's aggregates and saved
  through its eventsourcing Application, then carried by relay, broker and live feed;
- rebuild of the read model from the event stores, RSS of every service sampled meanwhile;
- the funders' report endpoint at 50 connections, beside a static endpoint of the same
  server.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

import eventlet
import psycopg2
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from bench import ceilings
from scripts.seed_equipment import RULE
from scripts.seed_registry import ROLES, _Maker
from scripts.seed_registry import generate as registry_seed
from scripts.seed_training import PROGRAMME_ID as TRAINING_PROGRAMME
from scripts.seed_training import generate as training_seed
from services.training.app import TrainingApplication
from services.training.domain import Enrolment
from shared.config import event_store_env
from tests.faults.platform import SERVICES, Platform
from tests.faults.workload import ROUND, Client, Ledger, run_jobs, set_up

FUNDER = "akimat-tselinograd"  # accountable for BAQUATTY AUDAN, where the bulk load goes


# ---------------------------------------------------------------- the platform
def start(workdir: Path, amqp_uri: str, new_database: Callable[[], dict]) -> Platform:
    platform = Platform(workdir, amqp_uri, new_database)
    for name, config in platform.configs.items():  # production settings, not the drill's
        if "RELAY" in config:
            config["RELAY"]["poll_interval"] = 1.0
        if name == "reporting":
            config["READ_MODEL"]["catch_up_interval"] = 30
    platform.start_all()
    return platform


def set_up_programmes(platform: Platform) -> dict[str, Any]:
    """The seed's funders, programmes, targets and roles; the teacher courses; a token."""
    ledger = Ledger()
    client = Client(platform.amqp_uri, ledger)
    courses = set_up(client, registry_seed(), training_seed(), RULE)
    for programme_id, funder_id, role in ROLES:
        client.call("registry", "assign_funder_role", programme_id=programme_id,
                    funder_id=funder_id, role=role)
    token = client.call("reporting", "issue_token", funder_id=FUNDER)["token"]
    client.close()
    return {"courses": sorted(courses), "token": token}


def read_model_params(platform: Platform) -> dict[str, Any]:
    config = platform.configs["reporting"]["READ_MODEL"]
    return {k: config[k] for k in ("host", "port", "dbname", "user", "password")}


def read_model(platform: Platform) -> Any:
    conn = psycopg2.connect(**read_model_params(platform))
    conn.autocommit = True
    return conn


def count(platform: Platform, sql: str) -> int:
    conn = read_model(platform)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT schema_name FROM reporting_read_model WHERE id = 1")
            schema = cur.fetchone()[0]
            cur.execute(sql.format(s=schema))
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def wait_until(predicate: Callable[[], bool], timeout: float, poll: float = 0.05) -> float:
    """Seconds until `predicate()` held; raises after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not reached in {timeout} s")
        eventlet.sleep(poll)
    return time.monotonic() - started


# ---------------------------------------------------------------- score import
def score_import(platform: Platform, schools: int, pupils: int) -> dict[str, float]:
    """Scores per second from the first RPC call to the last score visible in the read
    model (grades 6, 8 and 10, two subjects; one ScoresRecorded event per grade sheet)."""
    ledger = Ledger()
    client = Client(platform.amqp_uri, ledger)
    make = _Maker(random.Random(11))
    ids = [f"BENCH-AKT-{n:04d}" for n in range(schools)]
    rows = [{**make.row(school, "school", "1510", "rural", 60, True), "row": n}
            for n, school in enumerate(ids, 2)]
    for first in range(0, len(rows), 200):
        client.call("registry", "import_organisations", school_year="2024-2025",
                    rows=rows[first:first + 200])
    for school in ids:
        client.call("registry", "join_programme", programme_id="aktobe-small-schools",
                    organisation_id=school, model="digital_solutions", joined_on="2024-09-02")
    sheets = {school: [{"row": n + 2, "pupil_id": f"P-{school}-{n // 2:04d}",
                        "grade": (6, 8, 10)[(n // 2) % 3],
                        "subject": ("math", "kazakh_language")[n % 2], "score": n % 41}
                       for n in range(pupils * 2)] for school in ids}
    total = schools * pupils * 2
    before = count(platform, "SELECT count(*) FROM {s}.scores")
    events_before = count(platform, "SELECT count(*) FROM {s}.processed")
    # Assessment learns of the joins from the registry's events; make sure it has.
    client.call("assessment", "catch_up_registry")
    started = time.monotonic()
    # Four callers in flight, each with its own connection (a proxy is not shared).
    run_jobs(platform.amqp_uri, ledger, [
        lambda c, school=school: c.call("assessment", "record_scores",
                                        round_id=ROUND["round_id"], school_id=school,
                                        scores=sheets[school]) for school in ids], workers=4)
    stored = time.monotonic() - started
    wait_until(lambda: count(platform, "SELECT count(*) FROM {s}.scores") - before >= total,
               timeout=600)
    visible = time.monotonic() - started
    events = count(platform, "SELECT count(*) FROM {s}.processed") - events_before
    client.close()
    assert not (ledger.unclear or ledger.refused or ledger.abandoned), ledger
    # The like ceiling of scores/s, in the same run and the same database: the same rows
    # inserted bare, without events, broker or projection between.
    bare = ceilings.bare_insert(read_model_params(platform), [
        (ROUND["round_id"], school, row["grade"], row["pupil_id"], row["subject"], row["score"])
        for school, rows in sheets.items() for row in rows])
    # And of events/s: consume + ack of messages as large as one grade sheet's event (one
    # school's scores of one grade: a ScoresRecorded event).
    size = len(json.dumps({"scores": [r for r in sheets[ids[0]] if r["grade"] == 6]}))
    consume = ceilings.kombu_consume_ack(platform.amqp_uri, 2000, size, ack_every=500)
    return {"scores": total, "events": events, "stored_seconds": stored,
            "visible_seconds": visible, "scores_per_s": total / visible,
            "events_per_s": events / visible, "bare_insert_rows_per_s": bare,
            "event_bytes": size, "consume_same_size_per_s": consume}


# ---------------------------------------------------------------- bulk training events
def enrolments(course_id: str, first: int, count_: int) -> Iterator[Enrolment]:
    """Teachers of BAQUATTY AUDAN's scale-up: enrolled, two sessions, completed (4 events)."""
    from uuid import UUID

    for n in range(first, first + count_):
        enrolled = date(2024, 9, 2) + timedelta(days=n % 60)
        enrolment = Enrolment(course_id=UUID(course_id), programme_id=TRAINING_PROGRAMME,
                              participant_id=f"BENCH-T{n:07d}",
                              school_id=f"AKM-TSL-{n % 90:03d}", role="teacher",
                              management_team_id=None, enrolled_on=enrolled)
        enrolment.record_attendance("week-1", enrolled + timedelta(weeks=1), Decimal(36))
        enrolment.record_attendance("week-2", enrolled + timedelta(weeks=2), Decimal(36))
        enrolment.complete(enrolled + timedelta(weeks=3), Decimal(72))
        yield enrolment


def training_writer(platform: Platform) -> TrainingApplication:
    return TrainingApplication(env=event_store_env(
        {"EVENT_STORE": platform.configs["training"]["EVENT_STORE"]}))


def steady_lag(platform: Platform, course_id: str, rate: int, seconds: int,
               first: int) -> dict[str, float]:
    """Save `rate` events/s (five enrolments, 20 events, per save: 50 saves a second at
    1,000/s; 25 per save at 5,000/s) for `seconds`; returns the projection lag percentiles
    from reporting's histogram, counted over the window and until every event landed."""
    writer = training_writer(platform)
    before = ceilings.histogram(platform.web("reporting"), "baqylau_projection_lag_seconds")
    processed_before = count(platform, "SELECT count(*) FROM {s}.processed")
    per_save = max(5, rate // 200)  # enrolments per save: 50 saves/s at 1,000 events/s
    interval = per_save * 4 / rate
    started = time.monotonic()
    n, batch = 0, []
    for enrolment in enrolments(course_id, first, rate * seconds // 4):
        batch.append(enrolment)
        if len(batch) < per_save:
            continue
        due = started + n * interval
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        writer.save(*batch)
        n, batch = n + 1, []
    n *= per_save
    achieved = n * 4 / (time.monotonic() - started)
    target = count(platform, "SELECT count(*) FROM {s}.enrolments") + 0
    writer.close()
    # Every event written is in the read model before the window closes: a backlog counts
    # its full lag, and the next phase starts with none.
    wait_until(lambda: count(platform, "SELECT count(*) FROM {s}.processed")
               >= processed_before + n * 4, timeout=600, poll=0.5)
    after = ceilings.histogram(platform.web("reporting"), "baqylau_projection_lag_seconds")
    window = ceilings.subtract(after, before)
    return {"rate_asked": rate, "rate_achieved": achieved, "events": n * 4,
            "enrolments_visible": target,
            "p50": ceilings.quantile(window, 0.50), "p99": ceilings.quantile(window, 0.99)}


def bulk_load(platform: Platform, course_id: str, events: int, first: int,
              sample: Callable[[], None]) -> dict[str, float]:
    """Save `events` training events in transactions of 1,000, as fast as the store takes
    them, while relay, broker and live feed carry them to the read model."""
    writer = training_writer(platform)
    processed_before = count(platform, "SELECT count(*) FROM {s}.processed")
    per_save = 250  # enrolments, 1,000 events
    total_enrolments = events // 4
    started = time.monotonic()
    batch: list[Enrolment] = []
    for enrolment in enrolments(course_id, first, total_enrolments):
        batch.append(enrolment)
        if len(batch) == per_save:
            writer.save(*batch)
            batch = []
            sample()
    if batch:
        writer.save(*batch)
    stored = time.monotonic() - started
    writer.close()
    expected = processed_before + total_enrolments * 4
    visible = wait_until(lambda: (sample(), count(
        platform, "SELECT count(*) FROM {s}.processed") >= expected)[1], timeout=3600,
        poll=1.0) + stored
    return {"events": total_enrolments * 4, "stored_seconds": stored,
            "stored_per_s": total_enrolments * 4 / stored, "visible_seconds": visible,
            "visible_per_s": total_enrolments * 4 / visible}


def combined(halves: list[dict[str, float]]) -> dict[str, float]:
    events = sum(h["events"] for h in halves)
    stored = sum(h["stored_seconds"] for h in halves)
    visible = sum(h["visible_seconds"] for h in halves)
    return {"events": events, "stored_seconds": stored, "stored_per_s": events / stored,
            "visible_seconds": visible, "visible_per_s": events / visible}


# ---------------------------------------------------------------- rebuild and RSS
class RssSampler:
    def __init__(self, platform: Platform) -> None:
        self.pids = {name: process.pid for name, process in platform.processes.items()}
        self.peak = {name: 0 for name in self.pids}

    def now(self) -> dict[str, int]:
        return {name: ceilings.rss_mib(pid) for name, pid in self.pids.items()}

    def __call__(self) -> None:
        for name, rss in self.now().items():
            self.peak[name] = max(self.peak[name], rss)

    def reset(self) -> None:
        self.peak = {name: 0 for name in self.pids}


@contextlib.contextmanager
def sampling(sampler: RssSampler) -> Iterator[None]:
    """Every service's RSS sampled every half second meanwhile (peaks from zero)."""
    sampler.reset()
    running = True

    def sample_every_half_second() -> None:
        while running:
            sampler()
            eventlet.sleep(0.5)

    thread = eventlet.spawn(sample_every_half_second)
    try:
        yield
    finally:
        running = False
        thread.wait()


def rebuild(platform: Platform, sampler: RssSampler) -> dict[str, float]:
    with sampling(sampler):
        started = time.monotonic()
        with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=3600) as rpc:
            reply = rpc.reporting.rebuild()
        seconds = time.monotonic() - started
    return {"events": reply["events_applied"], "seconds": seconds,
            "events_per_s": reply["events_applied"] / seconds, "rss_peak_mib": sampler.peak}


def events_stored(platform: Platform) -> int:
    total = 0
    for name in SERVICES:
        if name == "reporting":
            continue
        store = platform.configs[name]["EVENT_STORE"]
        conn = psycopg2.connect(host=store["host"], port=store["port"], user=store["user"],
                                password=store["password"], dbname=store["dbname"])
        with conn, conn.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {name}_events")
            total += cur.fetchone()[0]
        conn.close()
    return total


# Every funder endpoint of a programme, as a funder's client or browser asks it.
ENDPOINTS = {
    "report": "report", "report_csv": "report?format=csv", "report_xlsx": "report.xlsx",
    "iati": "iati.xml", "districts": "districts", "organisations": "organisations",
    "districts_csv": "districts?format=csv&lang=ru", "dashboard": "dashboard",
}


def report_latency(platform: Platform, token: str, connections: int,
                   seconds: float) -> dict[str, Any]:
    """Every funder endpoint and the same server's static /healthz, each at `connections`
    (the dashboard with the session cookie a browser gets for the token)."""
    web = platform.web("reporting")
    base = f"{web}/v1/programmes/{TRAINING_PROGRAMME}"
    auth = {"Authorization": f"Bearer {token}"}
    figures = requests.get(f"{base}/report", headers=auth, timeout=60).json()
    trained = next(i["actual"] for i in figures["indicators"]
                   if i["indicator"] == "teachers_trained")
    out: dict[str, Any] = {"static": ceilings.http_load(f"{web}/healthz", {}, connections,
                                                        seconds), "teachers_trained": trained}
    for name, path in ENDPOINTS.items():
        if name == "dashboard":
            url, headers = f"{web}/v1/dashboard/{TRAINING_PROGRAMME}", session(web, token)
        else:
            url, headers = f"{base}/{path}", auth
        out[name] = ceilings.http_load(url, headers, connections, seconds)
    return out


def session(web: str, token: str, programme: str = TRAINING_PROGRAMME) -> dict[str, str]:
    """The cookie header of a dashboard session opened with the token, as the login form
    does it (a post from the site's own origin)."""
    answer = requests.post(f"{web}/v1/session", allow_redirects=False, timeout=30,
                           data={"token": token, "programme_id": programme},
                           headers={"Origin": web})
    cookie = "; ".join(f"{k}={v}" for k, v in answer.cookies.items())
    if answer.status_code != 303 or not cookie:
        raise RuntimeError(f"no dashboard session: {answer.status_code} {answer.text[:200]}")
    return {"Cookie": cookie}
