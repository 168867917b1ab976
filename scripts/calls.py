"""Sending many RPC calls with a few in flight, with a progress bar."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable

from tqdm import tqdm

AMQP_URI = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
IN_FLIGHT = 20


def call_all(label: str, items: Iterable[Any], call: Callable[[Any], Any]) -> list[Any]:
    """Send calls `IN_FLIGHT` at a time (call returns an async reply); keep input order."""
    items = list(items)
    results: list[Any] = []
    with tqdm(total=len(items), desc=f"{label:<22}", unit="call", file=sys.stdout) as bar:
        for first in range(0, len(items), IN_FLIGHT):
            pending = [call(item) for item in items[first:first + IN_FLIGHT]]
            for reply in pending:
                results.append(reply.result())
                bar.update()
    return results
