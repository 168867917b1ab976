"""How events reach the read model live from RabbitMQ, and where the unreadable go.

- Live: one durable queue, `reporting.events`, bound to every service's events exchange. A
  message is acknowledged only after its transaction committed. A message that cannot be
  read (malformed, unknown contract version) or whose handler keeps failing goes to the
  `reporting.dead-letter` queue with the reason, and the stream moves on. A database outage
  is not the message's fault: it is put back and retried after a pause. Nor is a contract
  version newer than this replica reads: put back for an upgraded one (shared/reading.py).
- Catch-up: each service's own log, read by logs.py through the same idempotent handler,
  fills an empty database, events published before the queue existed, and any hole.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import eventlet
import kombu
import psycopg2
from kombu.mixins import ConsumerMixin
from prometheus_client import Histogram

from services.reporting.ingest import projections
from shared import pgconnect
from shared.contracts import TooNew
from shared.contracts.versions import ContractVersions
from shared.edge import REFUSED_FRAMES
from shared.poison import Poison, Unreadable, raw_properties, read_envelope
from shared.publisher import events_exchange
from shared.reading import TooNewWait

log = logging.getLogger(__name__)
PROJECTION_LAG = Histogram(
    "baqylau_projection_lag_seconds",
    "From an event's recording in its service's store to its commit in the read model "
    "(live feed)", buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0,
                            1.5, 2.5, 5.0, 10.0, 30.0, 60.0))

SOURCES = ("registry", "training", "equipment", "assessment")
QUEUE = "reporting.events"
# Every consumer's one way with poison (shared/poison.py): 5 attempts, then the dead letters.
POISON = Poison("reporting")
DEAD_LETTER = POISON.queue.name


def events_queue() -> kombu.Queue:
    return kombu.Queue(QUEUE, durable=True, auto_delete=False, bindings=[
        kombu.binding(events_exchange(source), routing_key="#") for source in SOURCES])


class LiveFeed(ConsumerMixin):
    """Applies messages in batches: what arrived within `max_delay` (up to `batch_size`) is
    applied in one transaction, then each message is acknowledged. A crash before the commit
    redelivers the whole batch, which the processed table turns into no-ops."""

    def __init__(self, connection: kombu.Connection, dsn: str, batch_size: int = 500,
                 max_delay: float = 0.05, versions: ContractVersions | None = None) -> None:
        self.connection = connection
        self.dsn = dsn
        versions = versions or ContractVersions()
        self.readable = versions.readable
        self.too_new = TooNewWait.from_versions(versions)
        self.db: Any = None
        self.applied = 0
        self.batch_size = batch_size
        self.max_delay = max_delay
        self.pending: list[tuple[Any, Any, Any]] = []  # (envelope, body, message)
        self.last_applied_at = float("-inf")
        self.oldest = 0.0

    def run(self, _tokens: int = 1, **kwargs: Any) -> None:
        # Wake at least every `max_delay` so a part-filled batch waits no longer than that.
        super().run(_tokens, safety_interval=self.max_delay, **kwargs)

    def on_connection_revived(self) -> None:
        # What was pending came on the lost connection: it cannot be acknowledged there,
        # and the broker redelivers it on this one (applied or not, the processed table
        # makes it count once).
        self.pending = []

    def get_consumers(self, consumer_cls: Any, channel: Any) -> list[Any]:
        POISON.queue(channel).declare()
        return [consumer_cls(queues=[events_queue()], callbacks=[self.on_message],
                             accept=["json"], prefetch_count=2 * self.batch_size)]

    def on_message(self, body: Any, message: Any) -> None:
        try:
            envelope = read_envelope(body, self.readable)
        except Unreadable as exc:
            self.dead_letter(message, f"unreadable: {exc}", "unreadable")
            return
        except TooNew as exc:
            self.wait_for_upgrade(body, message, exc)
            return
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append((envelope, body, message))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def on_iteration(self) -> None:
        if self.pending and time.monotonic() - self.oldest >= self.max_delay:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        try:
            if self.db is None or self.db.closed:
                self.db = pgconnect.connect(self.dsn)
            projections.handle_batch(self.db, [envelope for envelope, _, _ in batch])
        except psycopg2.OperationalError as exc:
            log.warning("read model database unavailable (%s); retrying %d events",
                        exc, len(batch))
            self.db = None
            eventlet.sleep(2)
            for _, _, message in batch:
                message.requeue()
            return
        except Exception:  # noqa: BLE001 - find the failing event, apply the others
            self.apply_one_by_one(batch)
            return
        self.acknowledge(batch)

    def apply_one_by_one(self, batch: list[tuple[Any, Any, Any]]) -> None:
        for envelope, body, message in batch:
            try:
                projections.handle(self.db, envelope)
            except Exception as exc:  # noqa: BLE001 - a failing handler must not block
                self.retry_or_dead_letter(body, message, exc)
                continue
            self.acknowledge([(envelope, body, message)])

    def acknowledge(self, batch: list[tuple[Any, Any, Any]]) -> None:
        """One ack for the whole batch (`multiple`: every delivery up to the last one's).
        Safe because every message delivered before the batch's last is either in the
        batch or already settled on its own (set aside, put back, applied one by one)."""
        now = time.time()
        for envelope, _, _ in batch:
            PROJECTION_LAG.observe(max(0.0, now - envelope.time.timestamp()))
        batch[-1][2].ack(multiple=True)
        self.applied += len(batch)
        self.last_applied_at = time.monotonic()

    def wait_for_upgrade(self, body: Any, message: Any, exc: TooNew) -> None:
        """Put back an event too new for this replica, for an upgraded one to take: at once
        the first time, after a pause when it comes back, aside past the deadline."""
        pause = self.too_new.decide(exc)
        if pause is None:
            self.dead_letter(message, self.too_new.reason(exc), "too_new")
            return
        if pause:
            if self.pending:
                self.flush()  # what is pending need not wait with it
            log.warning("%s; put back after %g s for an upgraded consumer", exc, pause)
            eventlet.sleep(pause)
        message.requeue()

    def retry_or_dead_letter(self, body: Any, message: Any, exc: Exception) -> None:
        POISON.retry_or_set_aside(kombu.Producer(message.channel), body,
                                  message.headers or {}, exc, QUEUE)
        message.ack()

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        # kombu's own would log and ack: the frame would be gone without a trace.
        REFUSED_FRAMES.labels("event", "undecodable").inc()
        self.dead_letter(message, f"unreadable: cannot decode: {exc}", "unreadable")

    def dead_letter(self, message: Any, reason: str, kind: str) -> None:
        """Set the message aside as it came (its raw body and content type)."""
        POISON.set_aside(kombu.Producer(message.channel), message.body, reason, kind, QUEUE,
                         message.headers or {}, **raw_properties(message))
        message.ack()


def send_to_dead_letters(producer: kombu.Producer, body: Any, reason: str, kind: str,
                         headers: dict[str, Any] | None = None) -> None:
    """Set `body` aside in reporting's dead letters, to be replayed into the feed."""
    POISON.set_aside(producer, body, reason, kind, QUEUE, headers)
