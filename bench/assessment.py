"""Bulk score import through RPC beside a bare eventsourcing save of the same payloads.

- platform: `assessment.record_scores` calls of 2,000 scores each (validate every score,
  pseudonymise every pupil id, load/create the sheet, save, reply with a per-row report),
  4 calls in flight, with the relay publishing as in production;
- raw ceiling: an eventsourcing Application on PostgreSQL saving events that carry the same
  2,000-score payload, one save per event, no RPC, no validation.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any, Callable

from eventsourcing.domain import Aggregate, event
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy

from services.assessment.app import AssessmentApplication
from services.assessment.pseudonyms import Pseudonymiser
from services.assessment.service import AssessmentService
from shared.application import ServiceApplication
from shared.config import event_store_env

PER_CALL = 2000
IN_FLIGHT = 4
SUBJECTS = {"math": {"max_score": 40, "threshold": 20},
            "kazakh_language": {"max_score": 40, "threshold": 20}}
KEY = "benchmark-pseudonym-key-0001"


class Batch(Aggregate):
    @event("Recorded")
    def __init__(self, scores: list[list[Any]]) -> None:
        self.scores = scores


class BareApplication(ServiceApplication):
    name = "bare"


def _payloads(total: int) -> list[list[dict[str, Any]]]:
    calls = []
    for call in range(total // PER_CALL):
        calls.append([{"row": n + 2, "pupil_id": f"EJ-B{call:03d}-{n // 2:05d}", "grade": 6,
                       "subject": "math" if n % 2 else "kazakh_language", "score": n % 41}
                      for n in range(PER_CALL)])
    return calls


def bare_save(store: dict[str, Any], total: int) -> float:
    """Scores per second when eventsourcing saves the same payloads, nothing else."""
    app = BareApplication(env=event_store_env({"EVENT_STORE": store}))
    pseudonyms = Pseudonymiser(KEY)
    batches = [[[pseudonyms.reference(s["pupil_id"]), s["subject"], s["score"]] for s in call]
               for call in _payloads(total)]
    try:
        started = time.perf_counter()
        for scores in batches:
            app.save(Batch(scores=scores))
        return total / (time.perf_counter() - started)
    finally:
        app.close()


def bulk_import(store: dict[str, Any], amqp: str, total: int,
                rate_of: Callable[..., float] | None = None) -> dict[str, float]:
    """Scores and events stored per second through `record_scores` over RPC."""
    calls = _payloads(total)
    setup = AssessmentApplication(env=event_store_env({"EVENT_STORE": store}))
    for n in range(len(calls)):
        setup.record_school_joined("bench", f"SCH-{n:03d}")
    setup.open_round("BENCH", programme_id="bench", school_year="2024-2025", phase="baseline",
                     grades=[6, 8, 10], subjects=SUBJECTS, opened_on=date(2024, 9, 16),
                     baseline_round_id=None)
    events_before = setup.last_notification_id()
    setup.close()
    config = {"AMQP_URI": amqp, "EVENT_STORE": store, "WEB_SERVER_ADDRESS": "127.0.0.1:0",
              "PSEUDONYM_KEY": KEY, "RELAY": {"poll_interval": 0.5}}
    container = ServiceContainer(AssessmentService, config)
    container.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}) as proxy:
            started = time.perf_counter()
            for first in range(0, len(calls), IN_FLIGHT):
                replies = [proxy.assessment.record_scores.call_async(
                    round_id="BENCH", school_id=f"SCH-{n:03d}", scores=calls[n])
                    for n in range(first, min(first + IN_FLIGHT, len(calls)))]
                for reply in replies:
                    assert reply.result()["counts"] == {"recorded": PER_CALL}
            elapsed = time.perf_counter() - started
            events = proxy.assessment.notifications(after=0, limit=1)["last_notification_id"]
    finally:
        container.stop()
    return {"scores_per_s": total / elapsed, "events_per_s": (events - events_before) / elapsed}
