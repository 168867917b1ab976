"""Prometheus metrics shared by every service, labelled by service name.

They live in the process-wide default registry and are served on each service's `/metrics`.
Labels never carry identifiers (no pupil, teacher or school ids): only names of things.
"""

from __future__ import annotations

import time
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import Counter, Gauge, Histogram

from shared.errors import BaqylauError

RPC_CALLS = Counter("baqylau_rpc_calls_total", "RPC calls by method and outcome",
                    ["service", "method", "outcome"])
RPC_LATENCY = Histogram("baqylau_rpc_latency_seconds", "RPC call duration by method",
                        ["service", "method"],
                        buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
EVENTS_STORED = Counter("baqylau_events_stored_total", "Domain events saved to the event store",
                        ["service"])
EVENTS_PUBLISHED = Counter("baqylau_events_published_total",
                           "Events published to RabbitMQ and confirmed", ["service"])
RELAY_POSITION = Gauge("baqylau_relay_position", "Last confirmed notification id", ["service"])
RELAY_LAG_EVENTS = Gauge("baqylau_relay_lag_events", "Stored events not yet published",
                         ["service"])
RELAY_LAG_SECONDS = Gauge("baqylau_relay_lag_seconds",
                          "Age of the oldest event in the last published batch", ["service"])
RELAY_FAILURES = Counter("baqylau_relay_failures_total",
                         "Relay batches that failed (broker or database), retried with back-off",
                         ["service", "reason"])
IMPORT_ROWS = Counter("baqylau_import_rows_total", "Rows of bulk imports by outcome",
                      ["service", "kind", "outcome"])
COMMIT_GROUP_SIZE = Histogram("baqylau_commit_group_saves",
                              "Saves written in one event-store transaction (group commit)",
                              ["service"], buckets=(1, 2, 4, 8, 16, 32, 64, 128))
RELAY_LEADER = Gauge("baqylau_relay_leader", "1 if this process holds the relay lock",
                     ["service"])


def outcome_of(exc_info: Any) -> str:
    if exc_info is None:
        return "ok"
    exc = exc_info[1]
    return exc.code if isinstance(exc, BaqylauError) else "error"


class RpcMetrics(DependencyProvider):
    """Counts every RPC call by method and outcome and times it (nameko worker hooks)."""

    def setup(self) -> None:
        self.service = self.container.service_name
        self._started: dict[int, float] = {}

    def worker_setup(self, worker_ctx: Any) -> None:
        if isinstance(worker_ctx.entrypoint, Rpc):
            self._started[id(worker_ctx)] = time.perf_counter()

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.pop(id(worker_ctx), None)
        if started is None:
            return
        method = worker_ctx.entrypoint.method_name
        RPC_LATENCY.labels(self.service, method).observe(time.perf_counter() - started)
        RPC_CALLS.labels(self.service, method, outcome_of(exc_info)).inc()
