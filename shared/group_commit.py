"""Group commit: the saves in flight on one service process written in one transaction.

Why: every save was its own transaction (a pooled connection and its pre-ping, BEGIN, the
table lock, NOTIFY, INSERT, COMMIT), and under eventlet each of those waits is a green
`select` costing Python CPU on the service's one core. The saves queue behind
eventsourcing's EXCLUSIVE table lock anyway, so the ones that arrive while a transaction
is being written are written together in the next one, and each caller returns only
after that common commit.

What does not change:
- Order. A group takes eventsourcing's own `LOCK TABLE ... IN EXCLUSIVE MODE` once, in
  its outer transaction (a lock taken inside a savepoint would be released by that
  savepoint's rollback), so notification ids are still handed out in commit order and a
  tailing relay or catch-up never passes over an id that commits later.
- Isolation of a failing command. The group's events go in as one INSERT inside a
  savepoint; if it violates a constraint (a concurrent save took an aggregate's next
  version), that savepoint is rolled back and each command's events are inserted in a
  savepoint of their own: the failing ones get their IntegrityError (which
  `retry_on_conflict` answers by reloading), the others commit together.
- Retries of an outage: the whole group is retried as eventsourcing retries one save.

Enabled by `APPLICATION_RECORDER_TOPIC` (shared/config.py), eventsourcing's own way to
choose the recorder class, so the Application and its repository are untouched.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Sequence

import psycopg
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.utils import retry

from shared import metrics
from shared.outbox import OutboxRecorder

# A command's own faults, as eventsourcing names them: rolled back to its savepoint, raised
# to it alone. Anything else (the connection, the server) fails the whole group.
OWN_FAULTS = {psycopg.IntegrityError: IntegrityError, psycopg.DataError: DataError}


class _Pending:
    """One caller's save, waiting in the queue."""

    __slots__ = ("events", "ids", "error", "finished", "lead", "signal")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.ids: list[int] | None = None
        self.error: BaseException | None = None
        self.finished = False
        self.lead = False  # handed the leader's part: write the next group
        self.signal = threading.Event()


class GroupCommitRecorder(OutboxRecorder):
    """eventsourcing's PostgreSQL application recorder (with the outbox column, shared/
    outbox.py), writing concurrent saves together.

    The first caller to find no group being written becomes the leader: it writes every
    save queued so far (at most `max_events` events, but always at least one save), wakes
    their callers, and hands the leader's part to the first save that queued meanwhile.
    A save alone in its group takes eventsourcing's own path, unchanged.
    """

    max_events = 2000
    wait_seconds = 60.0  # a follower's deadline; the leader's own write is bounded by retries

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mutex = threading.Lock()
        self._queue: deque[_Pending] = deque()
        self._leading = False
        self.service = self.events_table_name.removesuffix("_events")

    def insert_events(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        if not stored_events or any(v is not None for v in kwargs.values()):
            # A tracking record (a process application's) goes eventsourcing's own way.
            return super().insert_events(stored_events, **kwargs)
        pending = _Pending(stored_events)
        with self._mutex:
            self._queue.append(pending)
            leader = not self._leading
            self._leading = True
        if not leader:
            try:
                self._wait(pending)
            except BaseException:  # a deadline, or the caller killed (GreenletExit)
                self._abandon(pending)
                raise
        if not pending.finished:  # the leader's part is ours
            self._lead()
        if pending.error is not None:
            raise pending.error
        return pending.ids

    # -------------------------------------------------------------- the leader's part
    def _lead(self) -> None:
        try:
            with self._mutex:
                group = self._take()
        except BaseException:  # killed before taking its group: the part passes on
            self._hand_over()
            raise
        try:
            self._write_group(group)
        except Exception as exc:  # noqa: BLE001 - every caller of the group must hear it
            for pending in group:
                pending.error = pending.error or exc
        finally:
            for pending in group:
                if pending.ids is None and pending.error is None:
                    # The writer was killed mid-transaction (GreenletExit): unknown outcome.
                    pending.error = OperationalError("the group's writer stopped; outcome "
                                                     "unknown, send the command again")
                pending.finished = True
                pending.signal.set()
            self._hand_over()

    def _take(self) -> list[_Pending]:
        group = [self._queue.popleft()]
        events = len(group[0].events)
        while self._queue and events + len(self._queue[0].events) <= self.max_events:
            events += len(self._queue[0].events)
            group.append(self._queue.popleft())
        return group

    def _hand_over(self) -> None:
        with self._mutex:
            if not self._queue:
                self._leading = False
                return
            successor = self._queue[0]
        successor.lead = True
        successor.signal.set()

    def _abandon(self, pending: _Pending) -> None:
        """A follower that stops waiting leaves the queue; if it had been handed the
        leader's part, it passes it on, or every later save would wait for nobody."""
        with self._mutex:
            if pending in self._queue:
                self._queue.remove(pending)
            handed = pending.lead and not pending.finished
        if handed:
            self._hand_over()

    def _wait(self, pending: _Pending) -> None:
        if pending.signal.wait(self.wait_seconds):
            return
        with self._mutex:
            if pending in self._queue and not pending.lead:
                self._queue.remove(pending)
                raise OperationalError(f"no group commit within {self.wait_seconds:.0f} s; "
                                       "nothing was stored")
        if not pending.signal.wait(self.wait_seconds):
            # Being written: its outcome is unknown. Commands are idempotent, so a resend
            # is safe either way; the caller is told the database is unavailable.
            raise OperationalError("group commit still running after "
                                   f"{2 * self.wait_seconds:.0f} s; outcome unknown")

    # -------------------------------------------------------------- the transaction
    def _write_group(self, group: list[_Pending]) -> None:
        metrics.COMMIT_GROUP_SIZE.labels(self.service).observe(len(group))
        if len(group) == 1:
            pending = group[0]
            try:
                pending.ids = list(super().insert_events(pending.events) or [])
            except Exception as exc:  # noqa: BLE001 - raised to its own caller
                pending.error = exc
            return
        for pending, outcome in zip(group, self._insert_group(group), strict=True):
            if isinstance(outcome, BaseException):
                pending.error = outcome
            else:
                pending.ids = outcome

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_group(self, group: list[_Pending]) -> list[list[int] | BaseException]:
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                self._lock_table(curs)
                self._notify_channel(curs)
                everything = [event for pending in group for event in pending.events]
                try:
                    ids = self._insert_in_savepoint(conn, curs, everything)
                except tuple(OWN_FAULTS):
                    return [self._insert_alone(conn, curs, p.events) for p in group]
                outcomes: list[list[int] | BaseException] = []
                for pending in group:
                    outcomes.append(ids[:len(pending.events)])
                    ids = ids[len(pending.events):]
                return outcomes

    def _insert_in_savepoint(self, conn: Any, curs: Any,
                             events: Sequence[StoredEvent]) -> list[int]:
        with conn.transaction():
            # The rows alone: the lock and NOTIFY are already taken.
            self._insert_rows(curs, events)
            return list(self._fetch_ids_after_insert_events(curs, events) or [])

    def _insert_alone(self, conn: Any, curs: Any,
                      events: Sequence[StoredEvent]) -> list[int] | BaseException:
        try:
            return self._insert_in_savepoint(conn, curs, events)
        except tuple(OWN_FAULTS) as exc:
            return next(ours(str(exc)) for theirs, ours in OWN_FAULTS.items()
                        if isinstance(exc, theirs))
