"""What a service does when the broker goes away under it: carry on, never die.

nameko runs an entrypoint's acknowledgement in the worker's green thread. If the broker
connection is reset at that moment, `message.ack()` raises (ConnectionResetError,
BrokenPipeError, amqp's ConnectionForced…), the exception escapes the worker, and nameko
kills the container: the whole process exits. Only the worker's ack is lost, and a lost ack
is harmless: the broker redelivers every unacknowledged message once the consumer is back,
and every handler here is idempotent. So the ack (or requeue) is let go with a warning.

`subscribe` is the event-handler entrypoint every consumer of another service's events uses,
as `shared.commands.command` is for RPC.
"""

from __future__ import annotations

import logging
from typing import Any

import amqp.exceptions
import kombu.exceptions
from nameko.events import EventHandler

log = logging.getLogger(__name__)

# Every way "the broker is not there" surfaces from kombu/py-amqp: a reset or refused socket
# (OSError and its ConnectionError family), amqp's connection and channel errors (a forced
# close from a restart, a channel closed by the broker), kombu's wrapper of them.
BROKER_AWAY: tuple[type[BaseException], ...] = (
    kombu.exceptions.OperationalError, amqp.exceptions.ConnectionError,
    amqp.exceptions.ChannelError, ConnectionError, OSError)


class Subscription(EventHandler):
    """nameko's event handler, with the acknowledgement guarded against broker outages."""

    def handle_message_processed(self, message: Any, result: Any = None,
                                 exc_info: Any = None) -> None:
        try:
            super().handle_message_processed(message, result, exc_info)
        except BROKER_AWAY as exc:
            outcome = "requeue" if exc_info is not None and self.requeue_on_error else "ack"
            log.warning("%s of a %s event not sent, broker unreachable (%s: %s); the broker "
                        "redelivers it and the handler is idempotent", outcome,
                        self.event_type, type(exc).__name__, exc)


def subscribe(source_service: str, event_type: str) -> Any:
    """A durable queue per (service, event type); a handler that fails puts the message back
    for another attempt."""
    return Subscription.decorator(source_service, event_type, requeue_on_error=True)
