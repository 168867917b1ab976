"""What a frame from outside must be before any service code reads it, and how a refusal
goes back. One place for every entrypoint that takes messages from the broker (RPC in
shared/commands.py, events in shared/broker.py and reporting's feed): no frame, however
made, may raise out of an entrypoint, since an exception there kills the container, and the
unacknowledged frame would then kill every replica that takes it next.

The rules an RPC request meets (docs/integrators.md says them to integrators):
- `content_type` is `application/json`; the body decodes as UTF-8 JSON (kombu decodes it;
  what it cannot decode arrives here as the decoding error);
- the body is an object with `args` (a list: every command takes named arguments only, so
  it is empty) and `kwargs` (an object);
- `reply_to` names where the answer goes; without it the request is acknowledged and
  dropped (counted), there being nowhere to say why.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Mapping

import kombu.compression
import kombu.serialization
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import UnserializableValueError, serialize
from nameko.rpc import get_rpc_exchange
from prometheus_client import Counter

from shared.errors import InvalidInput, invalid

log = logging.getLogger(__name__)

JSON = "application/json"
MAX_COMMAND_BYTES = 2 * 1024 * 1024  # 5,000 scores take about 0.5 MB
MAX_EVENT_BYTES = 16 * 1024 * 1024  # a relay's largest event (a grade's score sheet) is < 1 MB
REFUSED_FRAMES = Counter("baqylau_refused_frames_total",
                         "Frames refused at the edge before any handler ran, by entrypoint "
                         "kind and the part that was wrong", ["kind", "part"])
UNANSWERABLE = Counter("baqylau_rpc_unanswerable_total",
                       "RPC requests acknowledged without a reply: no reply_to to send it to, "
                       "or a reply the broker would not take", ["reason"])
CONTEXT_HEADER_PREFIX = "nameko."
CALL_ID_STACK = "call_id_stack"
MAX_CALL_ID_STACK = 10


class FrameTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"request too large: {size} bytes, the limit is {limit}")
        self.size, self.limit = size, limit


class SizedConsumer(kombu.Consumer):
    """kombu's consumer, refusing a frame past `max_bytes` before it is decoded: decoded
    first, a 100 MB JSON body would be parsed in the consuming loop, every frame behind it
    waiting, and held in memory twice."""

    max_bytes = MAX_EVENT_BYTES

    def _receive_callback(self, message: Any) -> Any:
        size = len(getattr(message, "body", None) or b"")
        if size > self.max_bytes and self.on_decode_error is not None:
            to_python = getattr(self.channel, "message_to_python", None)
            self.on_decode_error(to_python(message) if to_python else message,
                                 FrameTooLarge(size, self.max_bytes))
            return None
        return super()._receive_callback(message)


def refuse_compressed_frames() -> None:
    """kombu decompresses a frame whose headers name a `compression` before any code of ours
    sees it, whatever its size once inflated: 10 MB of zlib'd zeros is 10 GB in memory. No
    sender of this platform compresses, so no decompressor is left registered (kombu keeps
    them in a private table): such a frame fails to decode and is refused like any other."""
    kombu.compression._decoders.clear()


refuse_compressed_frames()


def undecodable(exc: BaseException, message: Any) -> InvalidInput:
    """The refusal of an RPC request kombu could not decode, or would not for its size: the
    part at fault named. (An event frame is set aside instead: shared/broker.py.)"""
    content_type = getattr(message, "content_type", None)
    encoding = getattr(message, "content_encoding", None)
    headers = getattr(message, "headers", None) or {}
    if isinstance(exc, FrameTooLarge):
        REFUSED_FRAMES.labels("rpc", "size").inc()
        return InvalidInput(str(exc), {"_schema": [
            f"The request is {exc.size} bytes; at most {exc.limit}."]})
    if "compression" in headers:
        part, reason = "compression", "Compressed frames are not accepted."
    elif content_type != JSON:
        part, reason = "content_type", (f"Must be {JSON}, not {content_type!r}.")
    elif not utf8(encoding):
        part, reason = "content_encoding", f"Must be utf-8 (or absent), not {encoding!r}."
    else:
        part, reason = "body", f"Not UTF-8 JSON: {type(exc).__name__}: {str(exc)[:200]}"
    REFUSED_FRAMES.labels("rpc", part).inc()
    return invalid({part: [reason]})


def utf8(encoding: Any) -> bool:
    return encoding in (None, "") or str(encoding).lower() in ("utf-8", "utf8")


def request_problem(body: Any, message: Any) -> InvalidInput | None:
    """Why a decoded RPC request cannot be dispatched, or None. Each failing part named."""
    problems: dict[str, list[str]] = {}
    if message.content_type != JSON:
        problems["content_type"] = [f"Must be {JSON}, not {message.content_type!r}."]
    elif not utf8(message.content_encoding):
        # kombu decodes some other encodings, and ignores others: one rule for all.
        problems["content_encoding"] = [
            f"Must be utf-8 (or absent), not {message.content_encoding!r}."]
    elif not isinstance(body, dict):
        problems["body"] = [f'Must be an object {{"args": [], "kwargs": {{...}}}}, '
                            f"not {type(body).__name__}."]
    else:
        args, kwargs = body.get("args", []), body.get("kwargs")
        if not isinstance(args, list) or args:
            problems["args"] = ["Must be an empty list: commands take named arguments "
                                "only, in kwargs."]
        if not isinstance(kwargs, dict):
            problems["kwargs"] = ["Missing or not an object: the command's named arguments."]
        elif "self" in kwargs:
            problems["kwargs"] = ["`self` is not an argument of any command."]
    if not problems:
        return None
    for part in problems:
        REFUSED_FRAMES.labels("rpc", part).inc()
    return invalid(problems)


def context_from_headers(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """nameko's context data from a frame's headers, keeping only what nameko reads and only
    of the type it expects: its own `nameko.`-prefixed headers with text values, and the
    call-id stack as a short list of text. A header of another type is dropped, not obeyed:
    nameko would fail on it later, inside the worker or its logging."""
    context: dict[str, Any] = {}
    if not isinstance(headers, Mapping):
        return context
    for key, value in headers.items():
        if not isinstance(key, str) or not key.startswith(CONTEXT_HEADER_PREFIX):
            continue
        name = key[len(CONTEXT_HEADER_PREFIX):]
        if name == CALL_ID_STACK:
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                context[name] = value[-MAX_CALL_ID_STACK:]
        elif isinstance(value, str):
            context[name] = value
    return context


class Replier:
    """Sends an RPC reply as JSON whatever the request's content type (nameko answers in
    the request's serializer, and fails on a request without one), and never raises for a
    request it cannot answer: it says so in the log and a counter, and the frame is acked."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.exchange = get_rpc_exchange(config)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                   login_method=config.get(LOGIN_METHOD_CONFIG_KEY))

    def send(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        error = serialize(exc_info[1]) if exc_info is not None else None
        try:
            kombu.serialization.dumps(result, "json")
        except Exception:  # noqa: BLE001 - nameko's own check: a reply must serialize
            exc_info = sys.exc_info()
            error, result = serialize(UnserializableValueError(result)), None
        reply_to = (getattr(message, "properties", None) or {}).get("reply_to")
        if not isinstance(reply_to, str) or not reply_to:
            UNANSWERABLE.labels("no_reply_to").inc()
            log.warning("RPC request %s without reply_to: acknowledged, not answered",
                        message.delivery_info.get("routing_key"))
            return result, exc_info
        self.publisher.publish({"result": result, "error": error}, serializer="json",
                               exchange=self.exchange, routing_key=reply_to,
                               correlation_id=message.properties.get("correlation_id"))
        return result, exc_info
