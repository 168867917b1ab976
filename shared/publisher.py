"""Publishing envelopes to RabbitMQ with one publisher-confirm wait per batch.

Messages go to the service's topic exchange `<service>.events` (the exchange nameko's
`@event_handler("<service>", "<Type>")` binds to), routing key = contract type, persistent.
A batch counts as published only when the broker has confirmed every message in it.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import kombu

from shared.contracts.envelope import Envelope

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    """The broker refused (nack) or did not confirm a batch in time."""


def events_exchange(service: str) -> kombu.Exchange:
    # Same attributes as nameko's get_event_exchange, or declaring would fail.
    return kombu.Exchange(f"{service}.events", type="topic", durable=True, delivery_mode=2)


def declare_events_exchange(amqp_uri: str, service: str, timeout: float = 5.0) -> bool:
    """Declare the service's events exchange now, not at its first event: an outside
    subscriber may bind to it but may not declare it (shared/access/broker.py), so on a new
    broker it must exist before the service has published anything. Best effort: the relay
    declares it again before publishing."""
    try:
        with kombu.Connection(amqp_uri, connect_timeout=timeout) as connection:
            events_exchange(service)(connection.default_channel).declare()
        return True
    except Exception as exc:  # noqa: BLE001 - the relay will declare it; say why not now
        log.warning("%s.events not declared at start (%s: %s)", service, type(exc).__name__,
                    exc)
        return False


@contextmanager
def coalesced_writes(connection: kombu.Connection) -> Iterator[None]:
    """The frames of every message published inside, sent in one write when it ends.

    py-amqp writes each message (method, header and body frames) with its own `sendall`;
    under eventlet every one is a green send loop, a fifth of the relay's time in a bulk
    load. The broker sees the same frames in the same order. Only what needs no answer may
    be sent inside (a publish, not a declare: its answer would be waited for before the
    frames leave). If publishing fails, nothing is sent: the caller closes the
    connection."""
    transport = connection.connection.transport
    send, pending = transport._write, []  # the TCP transport's is the socket's sendall
    transport._write = lambda data: pending.append(bytes(data))  # a copy: py-amqp reuses
    try:                                                           # its frame buffer
        yield
    finally:
        transport._write = send
    if pending:
        transport.write(b"".join(pending))


class ConfirmingPublisher:
    def __init__(self, amqp_uri: str, service: str, confirm_timeout: float = 15.0,
                 connect_timeout: float = 5.0) -> None:
        self.amqp_uri = amqp_uri
        self.service = service
        self.exchange = events_exchange(service)
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._conn: kombu.Connection | None = None
        self._channel: Any = None
        self._unconfirmed: set[int] = set()
        self._next_tag = 1
        self._nacked = False

    def _connect(self) -> None:
        conn = kombu.Connection(self.amqp_uri, connect_timeout=self.connect_timeout,
                                heartbeat=0)
        conn.connect()
        channel = conn.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self.exchange(channel).declare()
        self._conn, self._channel = conn, channel
        self._unconfirmed, self._next_tag, self._nacked = set(), 1, False

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True
        self._settle(delivery_tag, multiple)

    def _settle(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > tag}
        else:
            self._unconfirmed.discard(tag)

    def publish_batch(self, envelopes: Sequence[Envelope]) -> None:
        """Publish all, then wait once for the broker's confirms. Raises on any failure."""
        if not envelopes:
            return
        if self._conn is None:
            self._connect()
        # The exchange was declared on connecting: a declare here would wait for its answer
        # inside the coalesced writes, which send nothing until they end.
        producer = kombu.Producer(self._channel, exchange=self.exchange, auto_declare=False)
        with coalesced_writes(self._conn):
            self._publish_all(producer, envelopes)
        self._wait_for_confirms()

    def _publish_all(self, producer: kombu.Producer, envelopes: Sequence[Envelope]) -> None:
        for envelope in envelopes:
            producer.publish(
                json.dumps(envelope.to_message()).encode(),
                routing_key=envelope.type,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=envelope.id,
                type=envelope.type,
                app_id=self.service,
                timestamp=int(envelope.time.timestamp()),
            )
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1

    def _wait_for_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        assert self._conn is not None
        while self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishFailed(f"{len(self._unconfirmed)} messages unconfirmed after "
                                    f"{self.confirm_timeout}s")
            try:
                self._conn.drain_events(timeout=remaining)
            except TimeoutError:
                continue
        if self._nacked:
            self._nacked = False
            raise PublishFailed("the broker rejected (nacked) part of the batch")

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection may fail to close
                pass
