"""Raw AMQP frames as an outside system, or an attacker, could publish them: py-amqp's own
`basic_publish`, every property set or left out at will (kombu's Producer would fill in a
content type), and a listener for the replies that come back to our own reply queue."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlparse

import amqp
from hypothesis import strategies as st

RPC_EXCHANGE = "nameko-rpc"
REPLY_DEADLINE = 15.0  # seconds a request that carried our reply_to may take to be answered

# Header values of every type an AMQP table carries (py-amqp encodes them all). Not an
# infinite float: RabbitMQ 3.10 closes the publisher's connection on one (541
# INTERNAL_ERROR), so such a frame never reaches a service.
HEADER_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
              st.binary(max_size=30),
              st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False),
              st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1))),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)),
    max_leaves=6)
HEADER_NAMES = st.one_of(st.text(min_size=1, max_size=20), st.sampled_from([
    "nameko.call_id_stack", "nameko.language", "nameko.user_id", "x-baqylau-attempts",
    "x-baqylau-queue", "compression"]))
HEADERS = st.one_of(st.none(), st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=4))
SHORT_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=40)
CONTENT_TYPES = st.one_of(st.none(), SHORT_TEXT, st.sampled_from([
    "application/json", "application/json", "text/plain", "application/data",
    "application/text", "application/x-python-serialize", "application/x-yaml",
    "application/x-msgpack"]))
ENCODINGS = st.one_of(st.none(), SHORT_TEXT, st.sampled_from([
    "utf-8", "utf-8", "binary", "latin-1", "gzip", "utf-16", "ascii"]))
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


# Bodies: a well-formed request (named arguments of junk), JSON of another shape, args or
# kwargs of the wrong type, text that is not JSON, bytes that are not UTF-8, deep nesting.
BODIES = st.one_of(
    st.builds(lambda kw: _json({"args": [], "kwargs": kw}),
              st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=3)),
    JSON_VALUES.map(_json),
    st.builds(lambda a, k: _json({"args": a, "kwargs": k}), JSON_VALUES, JSON_VALUES),
    st.builds(lambda k: _json({"kwargs": k}), JSON_VALUES),
    st.text(max_size=60).map(str.encode),
    st.binary(max_size=60),
    st.sampled_from([b"\xff\xfe\x00{", b'{"args": [], "kwargs": {"a": "\xc3\x28"}}',
                     b"[" * 100_000, b"", b"null", b'{"args": [], "kwargs": {}}']))


OWN_USER = "<the connection's user>"  # a frame's user_id: the sender's own, as it must be


@dataclass
class Frame:
    """One message as it goes on the wire; a property left None is not sent at all."""

    body: bytes
    content_type: str | None = None
    content_encoding: str | None = None
    headers: dict[str, Any] | None = None
    reply_to: str | None = None
    correlation_id: str | None = None
    # Another user's name would make the broker close the channel (tests/access); here the
    # frame says who sends it, or says nothing (then the service answers Forbidden).
    user_id: str | None = OWN_USER

    def message(self, user: str = "guest") -> amqp.Message:
        properties: dict[str, Any] = {"delivery_mode": 2}
        for name, value in (("content_type", self.content_type),
                            ("content_encoding", self.content_encoding),
                            ("application_headers", self.headers),
                            ("reply_to", self.reply_to),
                            ("correlation_id", self.correlation_id),
                            ("user_id", user if self.user_id == OWN_USER else self.user_id)):
            if value is not None:
                properties[name] = value
        return amqp.Message(self.body, **properties)

    def shape(self) -> str:
        """A short description of the frame, for the tally of shapes and answers."""
        return (f"content_type={self.content_type!r:.30} encoding={self.content_encoding!r:.20}"
                f" body={self.body[:40]!r} headers={sorted(self.headers or {})!r:.60}")


@dataclass
class RawClient:
    """A py-amqp connection with a reply queue of its own bound to `nameko-rpc`."""

    amqp_uri: str
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        url = urlparse(self.amqp_uri)
        self.user = unquote(url.username or "guest")
        self.connection = amqp.Connection(
            f"{url.hostname}:{url.port or 5672}", userid=self.user,
            password=unquote(url.password or "guest"),
            virtual_host=unquote(url.path[1:]) or "/", connect_timeout=10)
        self.connection.connect()
        self.channel = self.connection.channel()
        self.reply_key = f"raw-{uuid.uuid4().hex}"
        self.channel.exchange_declare(RPC_EXCHANGE, "topic", durable=True, auto_delete=False)
        self.channel.queue_declare(self.reply_key, exclusive=True, auto_delete=True)
        self.channel.queue_bind(self.reply_key, RPC_EXCHANGE, routing_key=self.reply_key)
        self.channel.basic_consume(self.reply_key, callback=self._on_reply, no_ack=True)

    def _on_reply(self, message: amqp.Message) -> None:
        key = message.properties.get("correlation_id") or f"none-{uuid.uuid4().hex}"
        self.replies[key] = json.loads(message.body)

    def publish(self, frame: Frame, exchange: str, routing_key: str) -> None:
        self.channel.basic_publish(frame.message(self.user), exchange=exchange,
                                   routing_key=routing_key)

    def reply(self, correlation_id: str, deadline: float = REPLY_DEADLINE) -> dict[str, Any]:
        """The reply to `correlation_id`; past the deadline, fails saying what it waited for."""
        end = time.monotonic() + deadline
        while correlation_id not in self.replies:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no reply to request {correlation_id} within {deadline} s")
            try:
                self.connection.drain_events(timeout=min(left, 1.0))
            except TimeoutError:
                continue
        return self.replies.pop(correlation_id)

    def queue_depth(self, queue: str) -> tuple[int, int]:
        """(messages ready, consumers) of a queue, from a passive declare on a channel of
        its own (a queue that does not exist closes the channel it was asked on): (0, 0)."""
        channel = self.connection.channel()
        try:
            _, ready, consumers = channel.queue_declare(queue, passive=True)
        except amqp.exceptions.NotFound:
            return 0, 0
        channel.close()
        return ready, consumers

    def close(self) -> None:
        self.connection.close()


def request(kwargs: dict[str, Any] | None = None, **properties: Any) -> Frame:
    return Frame(_json({"args": [], "kwargs": kwargs or {}}), **{
        "content_type": "application/json", "content_encoding": "utf-8", **properties})


def decimal_header() -> dict[str, Any]:
    return {"price": Decimal("12.34"), "when": datetime(2026, 1, 1), "raw": b"\x00\xff",
            "nested": {"a": [1, "b", None]}, "nameko.call_id_stack": 7,
            "x-baqylau-attempts": "many"}
