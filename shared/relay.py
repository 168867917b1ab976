"""The relay: follows a service's notification log and publishes every event, in log order.

Why a relay and not "save then publish" in the command handler: a handler that publishes
after saving loses the event when the broker is down or the process dies in between. Here
the event store is the only thing a command writes; the relay reads the log from the last
position the broker confirmed, publishes a batch, waits for the confirms, then records the
new position. A crash between confirm and record re-publishes that one batch (consumers
de-duplicate on source + notification id); nothing is ever skipped, because the position
only moves past events the broker has confirmed.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from shared import metrics
from shared.application import ServiceApplication
from shared.contracts.mapping import ContractMap
from shared.positions import PositionStore
from shared.publisher import ConfirmingPublisher

log = logging.getLogger(__name__)


class Relay:
    def __init__(self, app: ServiceApplication, contracts: ContractMap,
                 positions: PositionStore, publisher: ConfirmingPublisher,
                 batch_size: int = 500, poll_interval: float = 1.0,
                 initial_backoff: float = 0.2, max_backoff: float = 15.0) -> None:
        self.app = app
        self.contracts = contracts
        self.positions = positions
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.service = contracts.service
        self.position: int | None = None
        self._wakeup = threading.Event()
        self._stopping = threading.Event()

    # -------------------------------------------------------------- control
    def wake(self, _new_events: int = 0) -> None:
        """Called after every save in this process, so publication starts at once."""
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    # -------------------------------------------------------------- loop
    def run_forever(self) -> None:
        backoff = self.initial_backoff
        try:
            while not self._stopping.is_set():
                try:
                    published_full_batch = self.run_once()
                    backoff = self.initial_backoff
                except Exception as exc:  # noqa: BLE001 - any failure: back off, retry
                    self._on_failure(exc, backoff)
                    self._stopping.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                if not published_full_batch:
                    self._wakeup.wait(self.poll_interval)
        finally:
            self.publisher.close()
            self.positions.release()
            metrics.RELAY_LEADER.labels(self.service).set(0)

    def run_once(self) -> bool:
        """Publish at most one batch. True if a full batch went out (more may be waiting)."""
        self._wakeup.clear()
        if not self.positions.acquire():
            self.position = None  # another replica leads; re-read when we take over
            metrics.RELAY_LEADER.labels(self.service).set(0)
            return False
        metrics.RELAY_LEADER.labels(self.service).set(1)
        if self.position is None:
            self.position = self.positions.load()
            # Known from the start, not only after the next publish (`baqylau status`).
            metrics.RELAY_POSITION.labels(self.service).set(self.position)
        notifications = self.app.select_after(self.position, self.batch_size)
        if not notifications:
            self._caught_up()
            return False
        envelopes = [e for n in notifications
                     if (e := self.contracts.envelope(self.app, n)) is not None]
        self.publisher.publish_batch(envelopes)
        last = notifications[-1].id
        self.positions.save(last)
        self.position = last
        self._observe(envelopes)
        return len(notifications) == self.batch_size

    # -------------------------------------------------------------- bookkeeping
    def _caught_up(self) -> None:
        metrics.RELAY_LAG_EVENTS.labels(self.service).set(0)
        metrics.RELAY_LAG_SECONDS.labels(self.service).set(0)

    def _observe(self, envelopes: list[Any]) -> None:
        metrics.EVENTS_PUBLISHED.labels(self.service).inc(len(envelopes))
        metrics.RELAY_POSITION.labels(self.service).set(self.position or 0)
        metrics.RELAY_LAG_EVENTS.labels(self.service).set(
            max(0, self.app.last_notification_id() - (self.position or 0)))
        if envelopes:
            age = datetime.now(UTC) - envelopes[0].time
            metrics.RELAY_LAG_SECONDS.labels(self.service).set(max(0.0, age.total_seconds()))

    def _on_failure(self, exc: Exception, backoff: float) -> None:
        # The position is re-read after a failure: it only ever reflects confirmed batches.
        self.position = None
        self.publisher.close()
        reason = type(exc).__name__
        metrics.RELAY_FAILURES.labels(self.service, reason).inc()
        log.warning("relay %s: %s: %s; retrying in %.1fs", self.service, reason, exc, backoff)
