"""The platform as another system meets it: plain AMQP frames, no nameko on this side.

`RawRpc` calls commands exactly as docs/integrators.md tells a Node.js or Java client to
(the exchange, routing key, properties and body written out by hand) and keeps every frame
sent and received; `EventTap` is an outside subscriber's own durable queue bound to every
service's events exchange. Both check the documents against what really crosses the wire.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import kombu

from shared.calling import principal_of

RPC_EXCHANGE = kombu.Exchange("nameko-rpc", type="topic", durable=True)


class RawRpc:
    def __init__(self, amqp_uri: str, client: str = "docs-client") -> None:
        self.connection = kombu.Connection(amqp_uri)
        self.user_id = principal_of(amqp_uri)  # the broker checks it is the connection's user
        self.channel = self.connection.channel()
        # The reply queue: the client's own, gone when it disconnects; nameko publishes the
        # reply on `nameko-rpc` with routing key = reply_to, so the queue is bound by it.
        self.reply_to = f"{client}.replies.{uuid.uuid4().hex[:12]}"
        queue = kombu.Queue(self.reply_to, RPC_EXCHANGE, routing_key=self.reply_to,
                            exclusive=True, auto_delete=True)
        self.consumer = kombu.Consumer(self.channel, [queue], on_message=self._received,
                                       accept=["json"], no_ack=True)
        self.consumer.consume()
        self.producer = kombu.Producer(self.channel)
        self.replies: dict[str, dict[str, Any]] = {}
        self.exchanges: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (request, reply)

    def _received(self, message: kombu.Message) -> None:
        self.replies[message.properties.get("correlation_id")] = {
            "exchange": message.delivery_info.get("exchange"),
            "routing_key": message.delivery_info.get("routing_key"),
            "properties": {name: message.properties.get(name)
                           for name in ("content_type", "content_encoding", "correlation_id")},
            "body": json.loads(message.body)}

    def send(self, routing_key: str, body: Any, timeout: float = 30.0,
             **properties: Any) -> dict[str, Any]:
        """Publish one frame and wait for its reply frame; both are kept in `exchanges`."""
        frame = {"exchange": "nameko-rpc", "routing_key": routing_key, "properties": {
            "content_type": "application/json", "content_encoding": "utf-8",
            "reply_to": self.reply_to, "correlation_id": str(uuid.uuid4()),
            "delivery_mode": 2, "user_id": self.user_id, **properties}, "body": body}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.producer.publish(raw, exchange=RPC_EXCHANGE, routing_key=routing_key,
                              **frame["properties"])
        deadline = time.monotonic() + timeout
        correlation_id = frame["properties"]["correlation_id"]
        while correlation_id not in self.replies:
            if time.monotonic() > deadline:
                raise AssertionError(f"no reply to {routing_key} in {timeout:g} s")
            try:
                self.connection.drain_events(timeout=1)
            except TimeoutError:
                pass
        reply = self.replies.pop(correlation_id)
        self.exchanges.append((frame, reply))
        return reply

    def call(self, routing_key: str, **kwargs: Any) -> Any:
        """The command's result; AssertionError naming the error if it was refused."""
        reply = self.send(routing_key, {"args": [], "kwargs": kwargs})["body"]
        if reply["error"] is not None:
            raise AssertionError(f"{routing_key} refused: {reply['error']}")
        return reply["result"]

    def error_of(self, routing_key: str, body: Any = None, properties: Any = None,
                 **kwargs: Any) -> dict[str, Any]:
        """The error a call is answered with (it must be refused)."""
        reply = self.send(routing_key, body if body is not None
                          else {"args": [], "kwargs": kwargs}, **(properties or {}))["body"]
        assert reply["error"] is not None, f"{routing_key} was not refused: {reply}"
        return reply["error"]

    def close(self) -> None:
        self.connection.release()


class EventTap:
    """An outside subscriber's durable queue, bound with `#` to each service's exchange."""

    def __init__(self, amqp_uri: str, services: list[str]) -> None:
        self.connection = kombu.Connection(amqp_uri)
        self.user_id = principal_of(amqp_uri)  # the broker checks it is the connection's user
        channel = self.connection.channel()
        # The exchanges as the relay and nameko declare them: the same attributes, or the
        # broker refuses the declaration. One queue, bound to each.
        queue = kombu.Queue("docs-tap.events", durable=True, auto_delete=False, bindings=[
            kombu.binding(kombu.Exchange(f"{service}.events", type="topic", durable=True),
                          routing_key="#") for service in services])
        self.messages: list[tuple[dict[str, Any], Any]] = []  # (properties, body)
        self.consumer = kombu.Consumer(channel, [queue], on_message=self._received,
                                       accept=["json"])
        self.consumer.consume()

    def _received(self, message: kombu.Message) -> None:
        self.messages.append(({**message.properties, "routing_key":
                               message.delivery_info.get("routing_key"),
                               "exchange": message.delivery_info.get("exchange")},
                              json.loads(message.body)))
        message.ack()  # applied (kept): only now may the broker forget it

    def drain(self, until: Any, timeout: float = 30.0) -> None:
        """Read until `until(messages)` holds or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not until(self.messages) and time.monotonic() < deadline:
            try:
                self.connection.drain_events(timeout=0.5)
            except TimeoutError:
                pass

    def close(self) -> None:
        self.connection.release()
