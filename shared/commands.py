"""The RPC entrypoint every command and query uses: nameko's `rpc` with two edges guarded.

- An oversize request is refused before its payload reaches a schema or a worker: its
  size is known from the raw message, so no worker, validation or write is spent on it.
- A reply that cannot be sent because the broker is away is let go, not raised: raised,
  it would kill the container and the process with it. The request was not acknowledged,
  so the broker redelivers it, and the resent command stores nothing twice.
- A database outage is answered as `Unavailable` ("nothing stored, send it again"),
  a clear, expected error, instead of a driver's exception text. eventsourcing has
  already retried for about two seconds by then.
"""

from __future__ import annotations

import logging
from typing import Any

from nameko.rpc import Rpc

from shared.broker import BROKER_AWAY
from shared.errors import EXPECTED_ERRORS, InvalidInput, Unavailable, is_outage

MAX_COMMAND_BYTES = 2 * 1024 * 1024  # 5,000 scores take about 0.5 MB
log = logging.getLogger(__name__)


class Command(Rpc):
    def handle_message(self, body: Any, message: Any) -> None:
        limit = int(self.container.config.get("MAX_COMMAND_BYTES", MAX_COMMAND_BYTES))
        size = len(message.body or b"")
        if size > limit:
            raise InvalidInput(f"request too large: {size} bytes, the limit is {limit}",
                               {"_schema": [f"The request is {size} bytes; at most {limit}."]})
        super().handle_message(body, message)

    def handle_result(self, message: Any, worker_ctx: Any, result: Any,
                      exc_info: Any) -> Any:
        if exc_info is not None and is_outage(exc_info[1]):
            error = Unavailable(f"{self.container.service_name}'s database is unreachable; "
                                "nothing was stored; send the command again shortly")
            exc_info = (Unavailable, error, exc_info[2])
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_AWAY as exc:
            log.warning("reply to %s not sent, broker unreachable (%s); the request will be "
                        "redelivered", self.method_name, type(exc).__name__)
            return result, exc_info


command = Command.decorator(expected_exceptions=EXPECTED_ERRORS)
