"""A second writer, in a process of its own: training events of the national programme saved
at a steady rate straight into training's store (as a replica or a loader would), while the
bench measures the endpoints. Prints one JSON line: the events saved and the rate achieved.

    python -m bench.national.writer STORE_JSON COURSE_ID SCHOOLS RATE SECONDS FIRST
"""

from __future__ import annotations

import json
import signal
import sys
import time
from uuid import UUID

from bench.national.data import School, store_env
from bench.national.people import teacher_enrolments
from services.training.app import TrainingApplication

EVENTS_PER_ENROLMENT = 4  # enrolled, two sessions, completed (teacher_enrolments, n % 10)


def main(store: dict, course_id: str, schools: int, rate: int, seconds: float,
         first: int) -> dict[str, float]:
    per_save = max(5, rate // 200)  # enrolments per save: 50 saves a second at 1,000/s
    interval = per_save * EVENTS_PER_ENROLMENT / rate
    names = [School(f"NAT-{n:05d}", "", "", "", False, 0, 0) for n in range(schools)]
    app = TrainingApplication(env=store_env(store))
    stop = []  # SIGTERM: the bench is done measuring; stop after the save in hand
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    events, saves, batch = 0, 0, []
    started = time.monotonic()
    try:
        wanted = int(rate * seconds / EVENTS_PER_ENROLMENT)
        # every tenth teacher of teacher_enrolments stops after a session: skip them, so
        # that each save holds the same number of events
        for enrolment in teacher_enrolments(UUID(course_id), names, first, wanted * 10 // 9 + 10):
            if len(enrolment.pending_events) != EVENTS_PER_ENROLMENT:
                continue
            batch.append(enrolment)
            if len(batch) < per_save:
                continue
            if (wait := started + saves * interval - time.monotonic()) > 0:
                time.sleep(wait)
            if stop or time.monotonic() - started > seconds:
                break
            app.save(*batch)
            events += len(batch) * EVENTS_PER_ENROLMENT
            saves, batch = saves + 1, []
    finally:
        app.close()
    return {"events": events, "seconds": time.monotonic() - started,
            "rate_asked": rate, "rate_achieved": events / (time.monotonic() - started)}


if __name__ == "__main__":
    store_json, course, count, rate_, seconds_, first_ = sys.argv[1:7]
    print(json.dumps(main(json.loads(store_json), course, int(count), int(rate_),
                          float(seconds_), int(first_))), flush=True)
