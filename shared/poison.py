"""Poison, one way for every consumer of another service's events (equipment, assessment,
reporting), on the live queues and on the logs read for catch-up alike.

- A message that cannot be read (not JSON, not an envelope, an unknown contract) can never
  become readable by trying again: it is set aside at once. A contract version newer than
  the consumer reads is not unreadable but early: it waits for the upgrade (reading.py).
- A message whose handler fails is tried again, up to `max_attempts` times in all (config
  `DEAD_LETTERS: {max_attempts: 5}`), then set aside. A retry is the message published again
  to the queue it came from with the attempts counted in a header, then acknowledged: the
  broker keeps no count of its own, and a requeue would put it back at the head forever.
- A database outage (shared.errors.OUTAGES) is not the message's fault: it is put back
  after a pause (`outage_pause` seconds), however long the outage lasts, never set aside.

"Set aside" is the consumer's own durable queue `<consumer>.dead-letter`: the message as it
came, with the reason, the kind of failure and the queue it came from in headers, counted in
`baqylau_dead_letters_total{kind}` (the service is the scrape target's label). `replay`
sends them back to the queue they came from with the attempts reset, once the cause is
fixed; every handler is idempotent, so an event applied meanwhile stays a no-op.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Mapping

import kombu
from marshmallow import Schema, ValidationError, fields, validate
from nameko.amqp.publish import get_producer
from prometheus_client import Counter

from shared.config import amqp_uri
from shared.contracts import UnknownContract, parse_envelope
from shared.contracts.envelope import Envelope

log = logging.getLogger(__name__)

UPCASTS = Counter("baqylau_contract_upcasts_total",
                  "Events read from an older contract version through its upcasters",
                  ["type", "version"])
DEAD_LETTERS = Counter("baqylau_dead_letters_total",
                       "Events moved to a consumer's dead-letter queue, by kind of failure",
                       ["kind"])
ATTEMPTS = "x-baqylau-attempts"
REASON = "x-baqylau-reason"
FAILURE = "x-baqylau-failure"
ORIGIN = "x-baqylau-queue"
# kombu decompresses a message whose headers name a `compression`, on every read: one with a
# wild value could not even be listed once set aside. Kept aside under this name instead.
COMPRESSION, KEPT_COMPRESSION = "compression", "x-baqylau-compression"
MAX_ATTEMPTS = 5
OUTAGE_PAUSE = 2.0  # seconds before a message met by a database outage is tried again


def attempts_so_far(headers: Mapping[str, Any] | None) -> int:
    """The attempts counted in a message's header; a header of another type (anyone can
    publish one) counts as none, never as an error in the consumer."""
    value = (headers or {}).get(ATTEMPTS, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def raw_properties(message: Any) -> dict[str, Any]:
    """How to publish a message's raw body again as it came: with its content type and
    encoding, or as opaque bytes when it had none (kombu would serialize bytes otherwise)."""
    return {"content_type": message.content_type or "application/octet-stream",
            "content_encoding": message.content_encoding or "binary"}


def as_bytes(body: Any) -> Any:
    """A raw body as bytes: py-amqp hands over text when a frame names an encoding, and
    kombu would encode text again with that encoding, whatever the frame said it was."""
    return body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body


class Unreadable(Exception):
    """The message is not an event this platform can read; no retry will change that."""


def read_envelope(body: Any, readable: Mapping[str, int] | None = None) -> Envelope:
    """The envelope of a message as it came (a dict, or JSON text or bytes), upcast to the
    versions this consumer reads (`readable`, else the latest); Unreadable, or TooNew for a
    version newer than it reads (not unreadable: shared/reading.py waits for it)."""
    try:
        message = body if isinstance(body, dict) else json.loads(body)
        envelope = parse_envelope(message, readable=readable)
    except (ValidationError, UnknownContract, ValueError, TypeError, RecursionError) as exc:
        # RecursionError: JSON nested past Python's limit (a body of "[[[[…"), which
        # once stopped reporting's feed at every restart, the frame at its head again.
        raise Unreadable(f"{type(exc).__name__}: {str(exc)[:300]}") from exc
    sent = message.get("schemaversion")
    if isinstance(sent, int) and sent < envelope.schemaversion:
        UPCASTS.labels(envelope.type, str(sent)).inc()
    return envelope


def dead_letter_queue(consumer: str) -> kombu.Queue:
    return kombu.Queue(f"{consumer}.dead-letter", durable=True, auto_delete=False)


def _queue(name: str) -> kombu.Queue:
    # The same flags as nameko's and reporting's durable queues, so declaring it is harmless.
    return kombu.Queue(name, durable=True, auto_delete=False)


@dataclass(frozen=True)
class Poison:
    """One consumer's way with poison: where its dead letters go and how often to retry."""

    consumer: str
    amqp_uri: str = ""  # needed only to list and replay: setting aside uses the caller's
    max_attempts: int = MAX_ATTEMPTS
    outage_pause: float = OUTAGE_PAUSE

    @classmethod
    def from_config(cls, config: Mapping[str, Any], consumer: str) -> Poison:
        section = dict(config.get("DEAD_LETTERS") or {})
        return cls(consumer, amqp_uri(config),
                   int(section.get("max_attempts", MAX_ATTEMPTS)),
                   float(section.get("outage_pause", OUTAGE_PAUSE)))

    @property
    def queue(self) -> kombu.Queue:
        return dead_letter_queue(self.consumer)

    def set_aside(self, producer: Any, body: Any, reason: str, kind: str, origin: str,
                  headers: Mapping[str, Any] | None = None, **properties: Any) -> None:
        """Publish `body` (a message's raw body with its `content_type`, or a dict) to the
        dead-letter queue with the reason; counted once the broker took it."""
        log.error("event moved to %s: %s", self.queue.name, reason)
        producer.publish(as_bytes(body), routing_key=self.queue.name, exchange="",
                         delivery_mode=2,
                         serializer="json", declare=[self.queue], **properties,
                         headers={**_inert(headers), REASON: reason[:1000], FAILURE: kind,
                                  ORIGIN: origin})
        DEAD_LETTERS.labels(kind).inc()

    def retry_or_set_aside(self, producer: Any, body: Any, headers: Mapping[str, Any],
                           exc: BaseException, origin: str, **properties: Any) -> None:
        """After a handler failed: publish the message again to `origin` with its attempts
        counted, or set it aside once it has had `max_attempts`. The caller then acks it."""
        attempts = attempts_so_far(headers) + 1
        reason = f"{type(exc).__name__}: {exc}"
        if attempts >= self.max_attempts:
            self.set_aside(producer, body, f"handler failed {attempts} times: {reason}",
                           "handler_failed", origin, headers, **properties)
            return
        log.warning("event handler failed (attempt %d of %d): %s", attempts,
                    self.max_attempts, reason)
        producer.publish(as_bytes(body), routing_key=origin, exchange="", delivery_mode=2,
                         serializer="json", headers={**headers, ATTEMPTS: attempts},
                         **properties)

    def peek(self, limit: int) -> dict[str, Any]:
        """The first `limit` dead letters, described (event id, type, source, the queue it
        came from, the reason and the kind of failure; never the payload, which may carry
        people's ids), and how many wait. Nothing is acknowledged: closing the channel puts
        every one back, in order."""
        letters = []
        with kombu.Connection(self.amqp_uri, connect_timeout=5) as connection:
            channel = connection.channel()
            try:
                queue = self.queue(channel)
                waiting = queue.queue_declare()[1]  # (name, messages, consumers)
                while len(letters) < limit:
                    message = queue.get(no_ack=False)
                    if message is None:
                        break
                    letters.append(_described(message))
            finally:
                channel.close()
        return {"waiting": waiting, "letters": letters}

    def replay(self, limit: int, default_origin: str | None = None) -> int:
        """Move up to `limit` dead letters back to the queue each came from (`default_origin`
        for letters older than that header), attempts reset. Each is acknowledged only once
        the broker confirmed its re-publication. Only the letters waiting when it starts:
        one that fails again comes back behind them, and is not sent round a second time."""
        replayed = 0
        with kombu.Connection(self.amqp_uri, connect_timeout=5) as connection, \
                get_producer(self.amqp_uri) as producer:
            queue = connection.SimpleQueue(self.queue)
            limit = min(limit, queue.qsize())
            try:
                while replayed < limit:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        break
                    headers = dict(message.headers or {})
                    origin = str(headers.get(ORIGIN) or default_origin or "")
                    if not origin:
                        message.requeue()  # nowhere to send it: leave it where it is
                        break
                    producer.publish(as_bytes(message.body), routing_key=origin, exchange="",
                                     delivery_mode=2, declare=[_queue(origin)],
                                     headers=_as_they_came(headers),
                                     **raw_properties(message))
                    message.ack()
                    replayed += 1
            finally:
                queue.close()
        return replayed


def _inert(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    kept = dict(headers or {})
    if COMPRESSION in kept:
        kept[KEPT_COMPRESSION] = kept.pop(COMPRESSION)
    return kept


def _as_they_came(headers: Mapping[str, Any]) -> dict[str, Any]:
    restored = {k: v for k, v in headers.items() if not k.startswith("x-baqylau-")}
    if KEPT_COMPRESSION in headers:
        restored[COMPRESSION] = headers[KEPT_COMPRESSION]
    return restored


def _described(message: Any) -> dict[str, Any]:
    headers = message.headers or {}
    try:
        body = json.loads(message.body) if isinstance(message.body, (bytes, str)) else {}
    except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
        body = {}
    body = body if isinstance(body, dict) else {}
    return {"id": str(body.get("id", "")), "type": str(body.get("type", "")),
            "source": str(body.get("source", "")), "queue": str(headers.get(ORIGIN, "")),
            "failure": str(headers.get(FAILURE, "")), "reason": str(headers.get(REASON, ""))}


class DeadLetterQuery(Schema):
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 100_000))
