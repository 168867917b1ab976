"""The whole national data set into the four services' stores, one service after another,
timed per service (the stores must be new; the services need not run)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bench.national import data, people


def fill(stores: dict[str, dict[str, Any]], sizes: data.Sizes, pseudonym_key: str,
         say: Any = print) -> dict[str, Any]:
    """`stores`: the event store of registry, equipment, training and assessment. Returns
    per service the events saved and seconds taken, the score rows, the course's id, and
    when training's and assessment's saves began and ended (past moments fall in between)."""
    schools = data.schools(sizes)
    out: dict[str, Any] = {"sizes": sizes.__dict__, "schools_small_class": sum(
        s.small_class for s in schools), "cabinets": sum(
        s.pupils <= data.SMALL_CLASS_MAX_PUPILS for s in schools)}
    steps = [
        ("registry", lambda: {"events": data.fill_registry(stores["registry"], schools)}),
        ("equipment", lambda: {"events": data.fill_equipment(stores["equipment"], schools)}),
        ("training", lambda: people.fill_training(stores["training"], schools, sizes.teachers,
                                                  sizes.categorised)),
        ("assessment", lambda: people.fill_assessment(stores["assessment"], schools,
                                                      pseudonym_key)),
    ]
    out["began"] = datetime.now(UTC)
    for name, step in steps:
        say(f"filling {name}'s store")
        out[f"{name}_began"] = datetime.now(UTC)
        started = time.monotonic()
        result = step()
        seconds = time.monotonic() - started
        out[name] = {**result, "seconds": seconds, "events_per_s": result["events"] / seconds}
    out["ended"] = datetime.now(UTC)
    out["events"] = sum(out[name]["events"] for name, _ in steps)
    return out
