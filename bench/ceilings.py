"""Raw ceilings, measured in the same run as the platform's figures, and the small tools
both sides share (HTTP load, histogram quantiles, RSS)."""

from __future__ import annotations

import http.client
import re
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import eventlet
import kombu
import psycopg2
import requests
from psycopg2.extras import execute_values

from shared.publisher import coalesced_writes


# ---------------------------------------------------------------- broker
def kombu_consume_ack(amqp_uri: str, messages: int, size: int = 1024,
                      ack_every: int = 1) -> float:
    """Messages/s: consume and ack `messages` persistent messages of `size` bytes from a
    durable queue they were published to first (prefetch 1,000; one ack per message, or
    with `ack_every` one ack for that many, as reporting's feed acks a batch)."""
    queue = kombu.Queue(f"bench-consume-{uuid.uuid4().hex[:6]}", durable=True,
                        auto_delete=False)
    body = b"x" * size
    with kombu.Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = kombu.Producer(channel)
        for _ in range(messages):  # filling the queue is not measured: no confirms needed
            producer.publish(body, routing_key=queue.name, delivery_mode=2)
        received = 0

        def on_message(_body: Any, message: Any) -> None:
            nonlocal received
            received += 1
            if received % ack_every == 0 or received == messages:
                message.ack(multiple=ack_every > 1)

        consumer_channel = conn.channel()
        with kombu.Consumer(consumer_channel, queues=[queue], callbacks=[on_message],
                            accept=None, prefetch_count=1000):
            started = time.perf_counter()
            while received < messages:
                conn.drain_events(timeout=10)
            rate = messages / (time.perf_counter() - started)
        queue(channel).delete()
    return rate


def kombu_publish_batches(amqp_uri: str, messages: int, batch: int = 500,
                          size: int = 1024) -> float:
    """Messages/s: persistent messages of `size` bytes to a durable queue, one publisher
    confirm wait per `batch` of them, each batch's frames in one write, as the relay sends
    and confirms its batches (the ceiling of the relay's row; the confirm-per-message
    ceiling is a different protocol)."""
    queue = kombu.Queue(f"bench-batch-{uuid.uuid4().hex[:6]}", durable=True,
                        auto_delete=False)
    body = b"x" * size
    acked = 0

    def on_ack(delivery_tag: int, multiple: bool) -> None:
        nonlocal acked
        acked = delivery_tag if multiple else acked + 1

    with kombu.Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue(channel).declare()
        channel.confirm_select()
        channel.events["basic_ack"].add(on_ack)
        producer = kombu.Producer(channel)
        started = time.perf_counter()
        for first in range(0, messages, batch):
            sent = min(first + batch, messages)
            with coalesced_writes(conn):  # as the relay sends a batch: one write
                for _ in range(first, sent):
                    producer.publish(body, routing_key=queue.name, delivery_mode=2)
            deadline = time.monotonic() + 30
            while acked < sent:
                conn.drain_events(timeout=max(0.1, deadline - time.monotonic()))
        rate = messages / (time.perf_counter() - started)
        queue(channel).delete()
    return rate


# ---------------------------------------------------------------- database
def bare_insert(connect: dict[str, Any], rows: list[tuple], per_statement: int = 1000) -> float:
    """Rows/s: the score rows an import makes, inserted as they are into a keyed table like
    the read model's (same key and types), `per_statement` rows per INSERT, each committed:
    what any pipeline that ends in PostgreSQL rows must at least do."""
    table = f"bench_bare_{uuid.uuid4().hex[:6]}"
    conn = psycopg2.connect(**connect)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {table} (round_id text, school_id text, grade int,"
                        " pupil_ref text, subject text, score int, PRIMARY KEY (round_id,"
                        " school_id, grade, pupil_ref, subject))")
        started = time.perf_counter()
        for first in range(0, len(rows), per_statement):
            with conn, conn.cursor() as cur:
                execute_values(cur, f"INSERT INTO {table} VALUES %s",
                               rows[first:first + per_statement], page_size=per_statement)
        rate = len(rows) / (time.perf_counter() - started)
        with conn, conn.cursor() as cur:
            cur.execute(f"DROP TABLE {table}")
    finally:
        conn.close()
    return rate


def sequential_read(stores: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Rows/s of a plain sequential read of every service's stored events, in notification
    order, through a server-side cursor: what any rebuild must at least do."""
    rows, started = 0, time.perf_counter()
    for name, store in stores.items():
        conn = psycopg2.connect(host=store["host"], port=store["port"], user=store["user"],
                                password=store["password"], dbname=store["dbname"])
        with conn, conn.cursor(name="bench_read") as cur:
            cur.itersize = 10_000
            cur.execute(f"SELECT notification_id, originator_id, originator_version, topic,"
                        f" state FROM {name}_events ORDER BY notification_id")
            for _ in cur:
                rows += 1
        conn.close()
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


# ---------------------------------------------------------------- HTTP
def http_load(url: str, headers: dict[str, str], connections: int,
              seconds: float) -> dict[str, float]:
    """`connections` keep-alive clients (green threads) asking `url` back to back for
    `seconds`; latency percentiles over every answer. Any non-200 answer is an error."""
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                errors += 1
        conn.close()

    requests.get(url, headers=headers, timeout=60)  # warm: first answers build caches
    pool = eventlet.GreenPool(connections)
    for _ in range(connections):
        pool.spawn(client)
    pool.waitall()
    latencies.sort()
    return {"requests": len(latencies), "errors": errors,
            "per_s": len(latencies) / seconds,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


# ---------------------------------------------------------------- histograms
BUCKET = re.compile(r'^(?P<name>\w+)_bucket\{le="(?P<le>[^"]+)"\} (?P<value>\S+)$')


def histogram(web: str, name: str) -> dict[float, float]:
    """Cumulative bucket counts of a Prometheus histogram, read from /metrics."""
    buckets: dict[float, float] = {}
    for line in requests.get(f"{web}/metrics", timeout=10).text.splitlines():
        match = BUCKET.match(line)
        if match and match["name"] == name:
            buckets[float(match["le"])] = float(match["value"])
    return buckets


def subtract(after: dict[float, float], before: dict[float, float]) -> dict[float, float]:
    return {le: after[le] - before.get(le, 0.0) for le in after}


def quantile(buckets: dict[float, float], q: float) -> float:
    """As PromQL's histogram_quantile: linear within the bucket holding the q-th sample."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    if total == 0:
        return float("nan")
    rank, lower, below = q * total, 0.0, 0.0
    for le in bounds:
        if buckets[le] >= rank:
            if le == float("inf"):
                return lower
            inside = buckets[le] - below
            return lower + (le - lower) * ((rank - below) / inside if inside else 0)
        lower, below = le, buckets[le]
    return lower


# ---------------------------------------------------------------- memory
def rss_mib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except FileNotFoundError:
        pass
    return 0
