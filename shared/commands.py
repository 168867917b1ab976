"""The RPC entrypoint every command and query uses: nameko's `rpc` with its edges guarded.

- No frame stops the service (shared/edge.py): one kombu cannot decode, one without or with
  a wrong `content_type`, a body that is not `{"args": [], "kwargs": {...}}`, headers of any
  type, no `reply_to`. Each is answered with `InvalidInput` naming the part at fault where a
  reply can go, and acknowledged either way: never redelivered to the next replica.
- An oversize request is refused before it is even decoded (shared/edge.py, SizedConsumer):
  its size is known from the raw frame, so no parsing, worker or write is spent on it.
- A reply that cannot be sent because the broker is away is let go, not raised: raised,
  it would kill the container and the process with it. The request's connection is gone
  with the broker, so the broker redelivers it, and the resent command stores nothing twice.
- The caller is the broker user that sent the frame (its `user_id`, which RabbitMQ checks):
  it goes into the worker's context, whatever the headers say, and every command checks it
  against its grants before it runs (shared/access/caller.py).
- A database outage is answered as `Unavailable` ("nothing stored, send it again"),
  a clear, expected error, instead of a driver's exception text. eventsourcing has
  already retried for about two seconds by then.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Callable

from nameko.exceptions import ContainerBeingKilled, IncorrectSignature
from nameko.messaging import QueueConsumer
from nameko.rpc import Rpc, RpcConsumer

from shared.access.caller import PRINCIPAL, SOURCE_DIGEST, SOURCE_FILE, Scope, authorised, source_of
from shared.broker import BROKER_AWAY, GuardedQueueConsumer
from shared.edge import (
    MAX_COMMAND_BYTES,
    Replier,
    context_from_headers,
    request_problem,
    undecodable,
)
from shared.errors import EXPECTED_ERRORS, InvalidInput, Unavailable, invalid, is_outage

log = logging.getLogger(__name__)


class GuardedRpcConsumer(RpcConsumer):
    """nameko's per-service RPC consumer, answering in JSON whatever the request was, and
    acknowledging every request it cannot answer instead of dying on it."""

    queue_consumer: QueueConsumer = GuardedQueueConsumer()
    replier: Replier

    def setup(self) -> None:
        super().setup()
        self.replier = Replier(self.container.config)

    def frame_limit(self) -> int:
        return int(self.container.config.get("MAX_COMMAND_BYTES", MAX_COMMAND_BYTES))

    def refuse_undecodable(self, message: Any, exc: BaseException) -> None:
        error = undecodable(exc, message)
        self.handle_result(message, None, (InvalidInput, error, None))

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        try:
            result, exc_info = self.replier.send(message, result, exc_info)
        except BROKER_AWAY as exc:
            # The reply's own connection failed. If the broker is away, the request's
            # connection is gone too: the ack below is a no-op and the broker redelivers the
            # request. If only the reply was refused (a channel error), the request is
            # acked: left unacked on a live connection it would hold its slot for ever.
            log.warning("reply to %s not sent (%s: %s)", message.delivery_info.get(
                "routing_key"), type(exc).__name__, exc)
        except Exception as exc:  # noqa: BLE001 - a reply the broker refuses: ack, go on
            log.warning("reply to %s not sent (%s: %s); request acknowledged",
                        message.delivery_info.get("routing_key"), type(exc).__name__, exc)
        try:
            self.queue_consumer.ack_message(message)
        except BROKER_AWAY as exc:
            log.warning("ack of %s not sent, broker unreachable (%s); redelivered, and "
                        "commands are idempotent", message.delivery_info.get("routing_key"),
                        type(exc).__name__)
        return result, exc_info


class Command(Rpc):
    rpc_consumer = GuardedRpcConsumer()

    def handle_message(self, body: Any, message: Any) -> None:
        problem = request_problem(body, message)
        if problem is not None:
            raise problem
        kwargs = body["kwargs"]
        try:
            self.check_signature((), kwargs)
        except IncorrectSignature as exc:
            raise invalid({"kwargs": [f"Not the command's arguments: {exc}"]}) from None
        try:
            self.container.spawn_worker(
                self, (), kwargs, context_data=caller_context(message),
                handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.rpc_consumer.requeue_message(message)

    def handle_result(self, message: Any, worker_ctx: Any, result: Any,
                      exc_info: Any) -> Any:
        if exc_info is not None and is_outage(exc_info[1]):
            error = Unavailable(f"{self.container.service_name}'s database is unreachable; "
                                "nothing was stored; send the command again shortly")
            exc_info = (Unavailable, error, exc_info[2])
        return self.rpc_consumer.handle_result(message, result, exc_info)


def caller_context(message: Any) -> dict[str, Any]:
    """nameko's context from the headers, with the caller's principal from the frame's
    `user_id` (a header of the same name is dropped, never believed) and what an import
    says of its file."""
    context = context_from_headers(message.headers)
    for key in (PRINCIPAL, SOURCE_FILE, SOURCE_DIGEST):
        context.pop(key, None)
    principal = message.properties.get("user_id")
    context[PRINCIPAL] = principal if isinstance(principal, str) and principal else None
    if isinstance(message.headers, dict):
        context.update(source_of(message.headers))
    return context


_entrypoint = Command.decorator(expected_exceptions=EXPECTED_ERRORS)


def command(method: Callable[..., Any] | None = None, *,
            programme: Scope | None = None) -> Any:
    """A command or query: nameko's RPC entrypoint, run only for a caller allowed it.
    `programme` says which programme the call records for, where the caller's grant is
    limited to some (shared/access/caller.py)."""
    if method is None:
        return partial(command, programme=programme)
    return _entrypoint(authorised(method, programme))
