"""The bench's sizes, from the environment (BENCH_<NAME>; bench/run.py lists them)."""

from __future__ import annotations

import os


def setting(name: str, default: int) -> int:
    return int(os.environ.get(f"BENCH_{name}", str(default)))


CALLS = setting("CALLS", 2000)
ACCESS_ROUNDS = setting("ACCESS_ROUNDS", 10)
EVENTS = setting("EVENTS", 1_000_000)
RELAY_EVENTS = 20_000
