"""A client load across all services that remembers what it was told.

Jobs run on a pool of green threads, each with its own RPC connection. A command that gets
an answer is written in the ledger: acknowledged (with the keys of what it stored) or
refused. A command that gets no answer (timeout, broker away) or `Unavailable` is sent
again, unchanged: every command is idempotent by its natural key, so a resend after a lost
reply stores nothing twice. Anything else, e.g. a bare RemoteError carrying a service's
traceback, is an unclear error and is written down as such: the test requires none.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

import eventlet
from eventlet.queue import Queue
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from scripts.seed_registry import AKTOBE_DISTRICTS, KYZYLORDA_DISTRICTS, _Maker
from services.assessment.pseudonyms import Pseudonymiser
from shared.errors import BaqylauError, Unavailable
from tests.faults.platform import PSEUDONYM_KEY

SCHOOL_YEAR = "2024-2025"
ROUND = dict(round_id="FAULTS-BASELINE", programme_id="aktobe-small-schools",
             school_year=SCHOOL_YEAR, phase="baseline", grades=[6, 8, 10],
             subjects={"math": {"max_score": 40, "threshold": 20},
                       "kazakh_language": {"max_score": 40, "threshold": 20}},
             opened_on="2024-09-16", baseline_round_id=None)
MAX_ATTEMPTS = 60


class Abandoned(Exception):
    """A command that never got an answer in MAX_ATTEMPTS: a loss the test reports."""


@dataclass
class Ledger:
    organisations: dict[str, int] = field(default_factory=dict)  # id -> cabinets expected
    joins: set[tuple[str, str]] = field(default_factory=set)
    aktobe_pupils: dict[str, int] = field(default_factory=dict)  # joined school -> pupils
    enrolments: set[str] = field(default_factory=set)
    completions: set[str] = field(default_factory=set)
    scores: set[tuple[str, int, str, str]] = field(default_factory=set)
    commands: Counter = field(default_factory=Counter)     # acknowledged, by method
    retried: Counter = field(default_factory=Counter)      # resent, by the error seen
    unclear: list[str] = field(default_factory=list)       # errors a caller cannot act on
    refused: list[str] = field(default_factory=list)       # clear refusals of valid commands
    abandoned: list[str] = field(default_factory=list)


class Client:
    """One green thread's RPC connection, resent commands and all."""

    def __init__(self, amqp_uri: str, ledger: Ledger) -> None:
        self.config = {"AMQP_URI": amqp_uri}
        self.ledger = ledger
        self.proxy: Any = None
        self.rpc: Any = None

    def _connect(self) -> None:
        self.close()
        self.proxy = ClusterRpcProxy(self.config, timeout=20)
        self.rpc = self.proxy.start()

    def close(self) -> None:
        if self.proxy is not None:
            try:
                self.proxy.stop()
            except Exception:  # noqa: BLE001 - the connection may already be gone
                pass
        self.proxy = self.rpc = None

    def call(self, service: str, method: str, **payload: Any) -> Any:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                if self.rpc is None:
                    self._connect()
                reply = getattr(getattr(self.rpc, service), method)(**payload)
            except Unavailable:
                self.ledger.retried["Unavailable"] += 1
            except BaqylauError as exc:
                self.ledger.refused.append(f"{service}.{method}: {exc}")
                raise
            except RemoteError as exc:
                self.ledger.unclear.append(f"{service}.{method}: {exc.exc_type}: "
                                           f"{str(exc)[:300]}")
                raise
            except Exception as exc:  # noqa: BLE001 - no answer: timeout, broker away
                self.ledger.retried[type(exc).__name__] += 1
                self.close()
            else:
                self.ledger.commands[f"{service}.{method}"] += 1
                return reply
            eventlet.sleep(min(5.0, 0.2 * attempt) * random.uniform(0.5, 1.5))
        self.ledger.abandoned.append(f"{service}.{method}")
        raise Abandoned(f"{service}.{method}")


class Load:
    """Every job (a function of a Client) run on `workers` green threads. A job's own failure
    is already in the ledger; the others go on. `kill()` ends the load at once (a failed
    round does not wait for commands it no longer needs), and `pending()` says what was
    left."""

    def __init__(self, amqp_uri: str, ledger: Ledger,
                 jobs: Iterable[Callable[[Client], None]], workers: int = 16) -> None:
        self.amqp_uri, self.ledger = amqp_uri, ledger
        self.queue: Queue = Queue()
        for job in jobs:
            self.queue.put(job)
        self.total = self.queue.qsize()
        self.finished = 0
        self.pool = eventlet.GreenPool(workers)
        for _ in range(workers):
            self.pool.spawn(self._work)

    def _work(self) -> None:
        client = Client(self.amqp_uri, self.ledger)
        try:
            while not self.queue.empty():
                job = self.queue.get()
                try:
                    job(client)
                except (BaqylauError, RemoteError, Abandoned):
                    pass
                self.finished += 1
        finally:
            client.close()

    def done(self) -> bool:
        return self.pool.running() == 0

    def wait(self) -> None:
        self.pool.waitall()

    def pending(self) -> str:
        return (f"{self.total - self.finished} of {self.total} jobs not finished "
                f"({self.queue.qsize()} not started, {self.pool.running()} workers busy)")

    def kill(self, grace: float = 10.0) -> None:
        """End every job now; each worker closes its connection, within `grace` seconds."""
        for thread in list(self.pool.coroutines_running):
            thread.kill()
        with eventlet.Timeout(grace, False):
            self.pool.waitall()


def run_jobs(amqp_uri: str, ledger: Ledger, jobs: Iterable[Callable[[Client], None]],
             workers: int = 16) -> None:
    """Run every job to its end (for set-ups that have no fault to watch)."""
    Load(amqp_uri, ledger, jobs, workers).wait()


# ---------------------------------------------------------------- the platform's set-up
def set_up(client: Client, registry_seed: Any, training_seed: Any, rule: dict) -> dict:
    for funder in registry_seed.funders:
        client.call("registry", "register_funder", **funder)
    for programme in registry_seed.programmes:
        client.call("registry", "launch_programme", **programme)
    for commitment in registry_seed.commitments:
        client.call("registry", "commit_funding", **commitment)
    for target in registry_seed.targets:
        client.call("registry", "set_target", **target)
    client.call("equipment", "set_allocation_rule", **rule)
    client.call("assessment", "open_round", **ROUND)
    courses = {}
    schools = _teachers_schools(client, registry_seed, {
        course["programme_id"] for course in training_seed.courses
        if course["audience"] == "teacher"})
    for course in training_seed.courses:
        if course["audience"] == "teacher":
            reply = client.call("training", "schedule_course", **course)
            courses[reply["id"]] = (course["completion_hours"], schools[course["programme_id"]])
    return courses


def _teachers_schools(client: Client, registry_seed: Any, programmes: set[str]
                      ) -> dict[str, str]:
    """One seed school of each programme with teacher courses, registered and joined: the
    school the load's teachers come from (training refuses a school not of the programme)."""
    rows = {row["organisation_id"]: row for row in registry_seed.rows[SCHOOL_YEAR]}
    schools = {}
    for programme in sorted(programmes):
        join = next(j for j in registry_seed.joins if j["programme_id"] == programme)
        row = rows[join["organisation_id"]]
        client.call("registry", "import_organisations", school_year=SCHOOL_YEAR,
                    rows=[{**row, "row": 2}])
        client.call("registry", "join_programme", **join)
        schools[programme] = join["organisation_id"]
    return schools


# ---------------------------------------------------------------- the load, in chunks
@dataclass
class Chunk:
    """`organisations` new schools (half in the Aktobe pilot, half in the Kyzylorda league)
    imported, joined and, in Aktobe, assessed; `teachers` enrolled, attending, completing."""

    number: int
    organisations: int
    teachers: int


def chunk_jobs(chunk: Chunk, make: _Maker, courses: dict[str, tuple[str, str]],
               ledger: Ledger) -> list[Callable[[Client], None]]:
    rows = []
    for n in range(chunk.organisations):
        aktobe = n % 2 == 0
        pupils = random.Random(f"{chunk.number}-{n}").randint(15, 230)
        row = make.row(f"F{chunk.number}-{'AKT' if aktobe else 'KZO'}-{n:05d}", "school",
                       make.rng.choice(AKTOBE_DISTRICTS if aktobe else KYZYLORDA_DISTRICTS),
                       "rural", pupils, pupils <= 80 if aktobe else False)
        rows.append((row, "aktobe-small-schools" if aktobe else "kyzylorda-partner-directors"))
    jobs: list[Callable[[Client], None]] = [
        _organisations_job(rows[first:first + 100], ledger)
        for first in range(0, len(rows), 100)]
    course_ids = sorted(courses)
    jobs += [_teacher_job(f"F{chunk.number}-TCH-{n:05d}", course_ids[n % len(course_ids)],
                          *courses[course_ids[n % len(course_ids)]], ledger)
             for n in range(chunk.teachers)]
    random.Random(chunk.number).shuffle(jobs)
    return jobs


def _organisations_job(rows: list[tuple[dict, str]], ledger: Ledger) -> Callable[[Client], None]:
    def job(client: Client) -> None:
        reply = client.call("registry", "import_organisations", school_year=SCHOOL_YEAR,
                            rows=[{**row, "row": n} for n, (row, _) in enumerate(rows, 2)])
        outcome = {line["row"]: line for line in reply["rows"]}
        for n, (row, programme) in enumerate(rows, 2):
            if outcome[n]["outcome"] == "rejected":
                ledger.refused.append(f"import row {row['organisation_id']}: {outcome[n]}")
                continue
            school, pupils = row["organisation_id"], int(row["pupils"])
            ledger.organisations[school] = (0 if programme != "aktobe-small-schools"
                                            else 2 if pupils > 80 else 1)
            client.call("registry", "join_programme", programme_id=programme,
                        organisation_id=school, model="digital_solutions"
                        if programme == "aktobe-small-schools" else "partner_league",
                        joined_on="2024-09-02")
            ledger.joins.add((programme, school))
            if programme == "aktobe-small-schools":
                ledger.aktobe_pupils[school] = pupils
                _assess(client, school, ledger)
    return job


PSEUDONYMS = Pseudonymiser(PSEUDONYM_KEY)


def _assess(client: Client, school: str, ledger: Ledger) -> None:
    scores = [{"row": n + 2, "pupil_id": f"PUPIL-{school}-{n:02d}", "grade": 6,
               "subject": subject, "score": (n * 7) % 41}
              for n in range(12) for subject in ("math", "kazakh_language")]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        reply = client.call("assessment", "record_scores", round_id=ROUND["round_id"],
                            school_id=school, scores=scores)
        if not reply["rejected"]:
            ledger.scores.update((school, s["grade"], s["subject"],
                                  PSEUDONYMS.reference(s["pupil_id"])) for s in scores)
            return
        if any("school_id" not in line["errors"] for line in reply["rejected"]):
            ledger.refused.append(f"scores of {school}: {reply['rejected'][:2]}")
            return
        # Assessment learns of a join from the registry's events: eventually, not at once.
        ledger.retried["school not in programme yet"] += 1
        eventlet.sleep(min(5.0, 0.2 * attempt))
    ledger.abandoned.append(f"scores of {school}")


def _teacher_job(teacher: str, course_id: str, hours: str, school: str,
                 ledger: Ledger) -> Callable[[Client], None]:
    def job(client: Client) -> None:
        enrolment = client.call("training", "enrol", course_id=course_id,
                                participant_id=teacher, school_id=school,
                                role="teacher", enrolled_on="2024-09-02")
        ledger.enrolments.add(enrolment["id"])
        left, week = Decimal(hours), 1
        while left > 0:  # sessions of at most 12 hours, one a week, until the course's hours
            session = min(left, Decimal(12))
            client.call("training", "record_attendance", enrolment_id=enrolment["id"],
                        session_id=f"week-{week}", attended_on=f"2024-09-{8 + week:02d}",
                        hours=str(session))
            left, week = left - session, week + 1
        client.call("training", "complete", enrolment_id=enrolment["id"],
                    completed_on="2024-10-31")
        ledger.completions.add(enrolment["id"])
    return job
