"""The read model kept current while the service runs: the live feed from RabbitMQ, the
periodic catch-up from every service's log, and the rebuild beside the live model (run
on start when the model predates this version's tables, and on request)."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Callable, Iterator

import kombu

from services.reporting.ingest import feed, logs, tables
from shared import pgconnect
from shared.contracts.versions import ContractVersions
from shared.reading import TooNewWait
from shared.supervision import keep_running

log = logging.getLogger(__name__)
MAX_CATCH_UP_DEFERRALS = 4  # rounds the periodic catch-up may wait for a busy stream


class Ingestion:
    """`after_round(cursor)` runs after each periodic catch-up (the service records its
    daily figures there); `spawn(function, name)` starts a managed thread. `versions`: the
    contract versions this deployment reads (CONTRACTS), on the live feed and the logs."""

    def __init__(self, dsn: str, amqp_uri: str, sources: tuple[str, ...], interval: float,
                 rebuild_needed: bool, after_round: Callable[[Any], None],
                 versions: ContractVersions | None = None) -> None:
        self.dsn, self.amqp_uri, self.sources = dsn, amqp_uri, sources
        self.versions = versions or ContractVersions()
        # One deadline per process for events too new on the logs (shared/reading.py).
        self.too_new = TooNewWait.from_versions(self.versions)
        self.interval = interval
        self.rebuild_needed = rebuild_needed
        self.after_round = after_round
        self.live: feed.LiveFeed | None = None
        self._stopping = False

    def start(self, spawn: Callable[[Callable[[], None], str], Any]) -> None:
        spawn(self._run_live, "live-feed")
        spawn(self._run_catch_up, "catch-up")

    def _run_live(self) -> None:
        keep_running("reporting's live feed", self._consume_live, lambda: self._stopping)

    def _consume_live(self) -> None:
        with kombu.Connection(self.amqp_uri) as connection:
            self.live = feed.LiveFeed(connection, self.dsn, versions=self.versions)
            self.live.run()

    def rebuild(self) -> dict[str, Any]:
        """A new model from the logs beside the live one, then one switch (see the RPC)."""
        started = time.monotonic()
        schema = f"rm_{int(time.time() * 1000)}"
        with self._cursor() as cur:
            tables.create(cur, schema)
        try:
            applied = logs.catch_up(self.amqp_uri, self.dsn, self.sources, schema=schema,
                                    readable=self.versions.readable)
        except BaseException:  # a source away, an event too new: the half-built model goes
            with self._cursor() as cur:
                tables.drop(cur, schema)
            raise
        with self._cursor() as cur:
            old = tables.switch(cur, schema)
        # Whatever the live feed applied to the old model meanwhile is in the logs too.
        late = logs.catch_up(self.amqp_uri, self.dsn, self.sources, schema=schema,
                                readable=self.versions.readable)
        with self._cursor() as cur:
            tables.drop(cur, old)
        return {"schema": schema, "replaced": old,
                "events_applied": sum(applied.values()) + sum(late.values()),
                "seconds": round(time.monotonic() - started, 2)}

    def _rebuild_if_outdated(self) -> None:
        while self.rebuild_needed and not self._stopping:
            try:
                log.warning("read model rebuilt for version %d: %s",
                            tables.MODEL_VERSION, self.rebuild())
                self.rebuild_needed = False
            except Exception as exc:  # noqa: BLE001 - a source may be down; try again later
                log.warning("rebuild postponed: %s: %s", type(exc).__name__, exc)
                logs.sleep_until(time.monotonic() + self.interval)

    def _run_catch_up(self) -> None:
        self._rebuild_if_outdated()
        deferred = 0
        while True:
            if self._live_feed_busy() and deferred < MAX_CATCH_UP_DEFERRALS:
                # While the stream flows, reading the same events again from the logs only
                # halves the throughput; holes wait a few rounds, never longer.
                deferred += 1
                logs.sleep_until(time.monotonic() + self.interval)
                continue
            deferred = 0
            try:
                applied = logs.catch_up(self.amqp_uri, self.dsn, self.sources,
                                        readable=self.versions.readable,
                                        too_new=self.too_new)
                if any(applied.values()):
                    log.info("catch-up applied %s", applied)
                with self._cursor() as cur:
                    self.after_round(cur)
            except Exception as exc:  # noqa: BLE001 - a source may be down; try again later
                log.warning("catch-up incomplete: %s: %s", type(exc).__name__, exc)
            logs.sleep_until(time.monotonic() + self.interval)

    def _live_feed_busy(self) -> bool:
        live = self.live
        return live is not None and time.monotonic() - live.last_applied_at < self.interval

    def stop(self) -> None:
        self._stopping = True
        if self.live is not None:
            self.live.should_stop = True

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor in one transaction of a connection of its own (committed on success):
        the request pool stays the requests'."""
        conn = pgconnect.connect(self.dsn, connect_timeout=5)
        try:
            with conn, conn.cursor() as cur:
                yield cur
        finally:
            conn.close()

