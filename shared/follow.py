"""Following another service's notification log over RPC: catch-up without the broker."""

from __future__ import annotations

from typing import Any, Callable, Collection

PAGE = 1000


def catch_up(service: Any, wanted: Collection[str],
             apply: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply every envelope of `wanted` types from `service.notifications`, from the start.

    `apply` must be idempotent: the same envelopes may also arrive over RabbitMQ.
    Returns {"read": n, "applied": m, "last_notification_id": k}.
    """
    after, read, applied = 0, 0, 0
    while True:
        page = service.notifications(after=after, limit=PAGE)
        for message in page["items"]:
            read += 1
            if message["type"] in wanted:
                apply(message)
                applied += 1
        if page["next_after"] == after:
            return {"read": read, "applied": applied,
                    "last_notification_id": page["last_notification_id"]}
        after = page["next_after"]
