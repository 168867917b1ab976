"""Micro-benchmark: serving one page of 1,000 notifications (training's ParticipantEnrolled),
as the `notifications` RPC and the relay do, on the real PostgreSQL: the envelopes made from
the decoded events (the path of rows stored without the outbox column) beside the envelopes
made from the public records stored at save time (shared/outbox.py). Also what the record
costs the save.

    PG_PORT=5473 .venv/bin/python -m bench.serve_page
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable  # noqa: E402

from services.training.app import TrainingApplication  # noqa: E402
from services.training.contracts import CONTRACTS  # noqa: E402
from shared.config import event_store_env  # noqa: E402
from shared.service import within_page_bytes  # noqa: E402
from tests.shared.relay_helpers import save_enrolments  # noqa: E402

PAGE = 1000
ROUNDS = 30


def median_seconds(work: Callable[[], Any], rounds: int = ROUNDS) -> float:
    work()  # warm: prepared statements, caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def page(app: TrainingApplication, envelope: Callable[..., Any]) -> list[dict[str, Any]]:
    """The `notifications` RPC's work for one page (shared/service.py)."""
    notifications = within_page_bytes(app.select_after(0, PAGE))
    return [e.to_message() for n in notifications if (e := envelope(app, n)) is not None]


def envelopes_only(app: TrainingApplication, envelope: Callable[..., Any]) -> Callable[[], Any]:
    notifications = app.select_after(0, PAGE)
    return lambda: [envelope(app, n) for n in notifications]


def save_seconds(store: dict[str, Any], with_record: bool) -> float:
    """1,000 enrolments saved 100 a time, by the same recorder, with or without records."""
    app = TrainingApplication(env=event_store_env({"EVENT_STORE": store}))
    if not with_record:
        app.mapper.contracts = None  # type: ignore[attr-defined]
    try:
        started = time.perf_counter()
        save_enrolments(app, PAGE, per_save=100)
        return time.perf_counter() - started
    finally:
        app.close()


def main() -> None:
    from tests.conftest import throwaway_databases

    decoded = CONTRACTS.envelope_of_event
    stored = CONTRACTS.envelope
    with throwaway_databases() as new_database:
        store = new_database()
        save_with = [save_seconds(store, True)]
        save_without = []
        for _ in range(5):  # alternated: the machine's load drifts
            save_without.append(save_seconds(new_database(), False))
            save_with.append(save_seconds(new_database(), True))
        app = TrainingApplication(env=event_store_env({"EVENT_STORE": store}))
        try:
            assert page(app, decoded) == page(app, stored)
            figures = {
                "page, decoded events (before)": median_seconds(lambda: page(app, decoded)),
                "page, stored records (after)": median_seconds(lambda: page(app, stored)),
                "envelopes only, decoded": median_seconds(envelopes_only(app, decoded)),
                "envelopes only, stored": median_seconds(envelopes_only(app, stored)),
                "select only": median_seconds(lambda: app.select_after(0, PAGE)),
            }
        finally:
            app.close()
    for name, seconds in figures.items():
        print(f"{name:34} {seconds * 1000:8.2f} ms/page  {seconds * 1e6 / PAGE:7.1f} µs/event")
    for name, runs in (("save without the record", save_without),
                       ("save with the record", save_with)):
        seconds = statistics.median(runs)
        print(f"{name:34} {seconds * 1000:8.2f} ms/1000  {seconds * 1e6 / PAGE:7.1f} µs/event")


if __name__ == "__main__":
    main()
