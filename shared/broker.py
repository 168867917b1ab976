"""What a service does when the broker goes away under it: carry on, never die.

nameko runs an entrypoint's acknowledgement in the worker's green thread. If the broker
connection is reset at that moment, `message.ack()` raises (ConnectionResetError,
BrokenPipeError, amqp's ConnectionForced…), the exception escapes the worker, and nameko
kills the container: the whole process exits. Only the worker's ack is lost, and a lost ack
is harmless: the broker redelivers every unacknowledged message once the consumer is back,
and every handler here is idempotent. So the ack (or requeue) is let go with a warning.

`subscribe` is the event-handler entrypoint every consumer of another service's events uses,
as `shared.commands.command` is for RPC. A handler that fails is dealt with as shared/poison.py
says: retried a bounded number of times, then set aside in the consumer's dead-letter queue;
a database outage is put back after a pause, never set aside; an event newer than the
consumer reads is put back until an upgraded replica takes it (shared/reading.py).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import amqp.exceptions
import eventlet
import kombu.exceptions
from nameko.amqp.publish import get_producer
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer

from shared.contracts import TooNew
from shared.contracts.versions import ContractVersions
from shared.edge import MAX_EVENT_BYTES, REFUSED_FRAMES, SizedConsumer, context_from_headers
from shared.errors import is_outage
from shared.poison import Poison, Unreadable, raw_properties
from shared.reading import TooNewWait

log = logging.getLogger(__name__)

# Every way "the broker is not there" surfaces from kombu/py-amqp: a reset or refused socket
# (OSError and its ConnectionError family), amqp's connection and channel errors (a forced
# close from a restart, a channel closed by the broker), kombu's wrapper of them.
BROKER_AWAY: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError, amqp.exceptions.ConnectionError,
    amqp.exceptions.ChannelError, ConnectionError, OSError)


class GuardedQueueConsumer(QueueConsumer):
    """nameko's queue consumer (one per service, shared by its RPC and event entrypoints),
    with a frame kombu cannot decode, or past its entrypoint's size limit, handed to the
    entrypoint it came for: left to kombu, it is logged and acked, and an RPC caller waits
    for a reply that never comes."""

    def get_consumers(self, consumer_cls: Any, channel: Any) -> Any:
        for provider in self._providers:
            consumer = SizedConsumer(channel, queues=[provider.queue], accept=self.accept,
                                     callbacks=[partial(self.handle_message, provider)],
                                     on_decode_error=partial(self._undecodable, provider))
            consumer.max_bytes = provider.frame_limit()
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def _undecodable(self, provider: Any, message: Any, exc: BaseException) -> None:
        # Refused in a thread of its own, as nameko handles every message: the consuming
        # loop must not wait on a reply's publication (a consumer's stop waits on the loop).
        self.container.spawn_managed_thread(
            partial(self._refuse, provider, message, exc),
            identifier=f"refuse_undecodable[{provider.queue.name}]")

    def _refuse(self, provider: Any, message: Any, exc: BaseException) -> None:
        # A managed thread that raises kills the container: whatever happens, never raise.
        try:
            provider.refuse_undecodable(message, exc)
        except Exception as failure:  # noqa: BLE001 - never raise in a managed thread
            # Not acknowledged: the broker gives it again once this connection is renewed,
            # and it is refused then; acked, it would be lost without a dead letter.
            log.error("undecodable frame on %s left unacknowledged (%s; refusing it failed: "
                      "%s)", provider.queue.name, exc, failure)


class Subscription(EventHandler):
    """nameko's event handler: the acknowledgement guarded against broker outages, and a
    failing handler retried, set aside or (a database outage) put back, as poison.py says.
    A frame that cannot be read is set aside at once (shared/edge.py)."""

    queue_consumer: QueueConsumer = GuardedQueueConsumer()
    poison: Poison | None = None
    too_new: TooNewWait | None = None

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.poison = Poison.from_config(config, self.container.service_name)
        self.too_new = TooNewWait.from_versions(ContractVersions.from_config(config))

    def frame_limit(self) -> int:
        return int(self.container.config.get("MAX_EVENT_BYTES", MAX_EVENT_BYTES))

    def unpack_message_headers(self, message: Any) -> dict[str, Any]:
        return context_from_headers(message.headers)

    def refuse_undecodable(self, message: Any, exc: BaseException) -> None:
        REFUSED_FRAMES.labels("event", "undecodable").inc()
        self._retry_or_set_aside(message, Unreadable(f"cannot decode: {exc}"))
        self.queue_consumer.ack_message(message)

    def handle_message_processed(self, message: Any, result: Any = None,
                                 exc_info: Any = None) -> None:
        outcome = "ack"
        try:
            if exc_info is not None and is_outage(exc_info[1]):
                outcome = "requeue"
                self._put_back(message, exc_info[1])
                return
            if exc_info is not None and isinstance(exc_info[1], TooNew):
                outcome = "requeue"
                if self._wait_for_upgrade(message, exc_info[1]):
                    return
                outcome = "ack"  # set aside past its deadline: acknowledged, not put back
            elif exc_info is not None:
                self._retry_or_set_aside(message, exc_info[1])
            self.queue_consumer.ack_message(message)
        except BROKER_AWAY as exc:
            log.warning("%s of a %s event not sent, broker unreachable (%s: %s); the broker "
                        "redelivers it and the handler is idempotent", outcome,
                        self.event_type, type(exc).__name__, exc)

    def _put_back(self, message: Any, exc: BaseException) -> None:
        pause = self.poison.outage_pause if self.poison else 0.0
        log.warning("database unavailable handling a %s event (%s: %s); put back, again in "
                    "%.1fs", self.event_type, type(exc).__name__, exc, pause)
        # The worker holds its slot while it waits: an outage slows consumption, never spins.
        eventlet.sleep(pause)
        self.queue_consumer.requeue_message(message)

    def _wait_for_upgrade(self, message: Any, exc: TooNew) -> bool:
        """Put an event too new for this consumer back (True), or, past the deadline, set
        it aside to be acked (False)."""
        assert self.too_new is not None and self.poison is not None, "set up by the container"
        pause = self.too_new.decide(exc)
        if pause is None:
            with get_producer(self.poison.amqp_uri) as producer:
                self.poison.set_aside(
                    producer, message.body, self.too_new.reason(exc), "too_new", self.queue.name,
                    message.headers, **raw_properties(message))
            return False
        log.warning("%s; put back%s for an upgraded consumer", exc,
                    f" after {pause:g} s" if pause else "")
        eventlet.sleep(pause)
        self.queue_consumer.requeue_message(message)
        return True

    def _retry_or_set_aside(self, message: Any, exc: BaseException) -> None:
        assert self.poison is not None, "set up by the container"
        properties = raw_properties(message)
        # Published with confirms before the ack: a crash in between sends it twice, and
        # twice is harmless where every handler is idempotent; never is not.
        with get_producer(self.poison.amqp_uri) as producer:
            if isinstance(exc, Unreadable):
                self.poison.set_aside(producer, message.body, f"unreadable: {exc}",
                                      "unreadable", self.queue.name, message.headers,
                                      **properties)
            else:
                self.poison.retry_or_set_aside(producer, message.body, message.headers or {},
                                               exc, self.queue.name, **properties)


def subscribe(source_service: str, event_type: str) -> Any:
    """A durable queue per (service, event type), consumed as `Subscription` says."""
    # TooNew is expected during a rollout: nameko logs it in a line, not with a traceback.
    return Subscription.decorator(source_service, event_type, expected_exceptions=(TooNew,))
