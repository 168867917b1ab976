"""Following another service's notification log over RPC: catch-up without the broker."""

from __future__ import annotations

from typing import Any, Callable, Collection, Iterator

PAGE = 1000


def pages(service: Any, after: int = 0, limit: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every reply of `service.notifications` from `after` to the end of its log; the last
    one has no items. Each page starts at the previous reply's `next_after`, never at the
    last id + 1: notification ids have gaps. The next page is asked for before this one is
    handed over, so the source reads it while the caller applies this one (a rebuild's two
    halves then run side by side instead of in turn)."""
    reply = service.notifications(after=after, limit=limit)
    while reply["next_after"] != after:
        after = reply["next_after"]
        upcoming = service.notifications.call_async(after=after, limit=limit)
        yield reply
        reply = upcoming.result()
    yield reply


def catch_up(service: Any, wanted: Collection[str],
             apply: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply every envelope of `wanted` types from `service.notifications`, from the start.

    `apply` must be idempotent: the same envelopes may also arrive over RabbitMQ.
    Returns {"read": n, "applied": m, "last_notification_id": k}.
    """
    read, applied = 0, 0
    for reply in pages(service):
        for message in reply["items"]:
            read += 1
            if message["type"] in wanted:
                apply(message)
                applied += 1
    return {"read": read, "applied": applied,
            "last_notification_id": reply["last_notification_id"]}
