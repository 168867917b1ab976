"""The eventsourcing Application every Baqylau service builds on."""

from __future__ import annotations

import functools
import random
import time
from datetime import date
from typing import Any, Callable, Sequence, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Notification,
    Transcoding,
)

from shared.contracts.mapping import ContractMap
from shared.errors import Conflict, NotFound
from shared.outbox import OutboxMapper, OutboxRecorder

F = TypeVar("F", bound=Callable[..., Any])
A = TypeVar("A")


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ServiceApplication(Application[UUID]):
    """Adds save listeners (the relay's wake-up, metrics) and typed lookups.

    Subclasses set `name` explicitly: it names the events table, and renaming it would
    orphan every stored event; and `contracts`, the service's contract map, with which each
    event's public record is made as it is saved, where the recorder stores one
    (shared/outbox.py).
    """

    contracts: ContractMap | None = None

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._save_listeners: list[Callable[[int], None]] = []

    def construct_mapper(self) -> Mapper[UUID]:
        # eventsourcing's mapper, able to add each event's public record as it stores it.
        return self.factory.mapper(transcoder=self.construct_transcoder(),
                                   mapper_class=OutboxMapper)

    def construct_recorder(self) -> ApplicationRecorder:
        recorder = super().construct_recorder()
        if isinstance(recorder, OutboxRecorder) and isinstance(self.mapper, OutboxMapper):
            # Only a recorder with the outbox column stores the records: the in-memory and
            # SQLite ones would drop them, so there the mapper spends nothing on them. (The
            # mapper is built before the recorder, and used only after both are.)
            self.mapper.contracts = self.contracts
        return recorder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save pending events; a command that changed nothing (a re-sent one) writes nothing."""
        changed = [o for o in objs if o is not None and getattr(o, "pending_events", True)]
        if not changed:
            return []
        return super().save(*changed, **kwargs)

    def save_new(self, aggregate: A) -> A | None:
        """Save a new aggregate whose id is its natural key without looking it up first, so
        that the usual case (it is new) costs no read. If the id is taken (a resent command,
        or a concurrent twin), nothing is stored and the stored aggregate is returned for
        the caller to compare with what it was asked; None means saved."""
        try:
            self.save(aggregate)
        except IntegrityError:
            existing = self.find(aggregate.id, type(aggregate))  # type: ignore[attr-defined]
            if existing is None:
                raise  # another kind holds the id, or another constraint: not ours to answer
            return existing
        return None

    def on_save(self, listener: Callable[[int], None]) -> None:
        """Call `listener(number_of_new_events)` after every successful save."""
        self._save_listeners.append(listener)

    def _notify(self, recordings: Sequence[Any]) -> None:
        for listener in self._save_listeners:
            listener(len(recordings))

    def load(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        """Get an aggregate of `kind` or raise NotFound naming what was looked for.

        An id of another kind of aggregate is "not found" too: ids cross the API as strings.
        """
        aggregate = self.find(aggregate_id, kind)
        if aggregate is None:
            raise NotFound(f"{what} {aggregate_id} not found")
        return aggregate

    def load_by_key(self, kind: type[A], what: str, key: str, hint: str = "") -> A:
        """The aggregate whose natural key is the caller's id (`kind.create_id(key)`), or
        NotFound naming that id, never the uuid, under the field `<what>_id`."""
        aggregate = self.find(kind.create_id(key), kind)  # type: ignore[attr-defined]
        if aggregate is None:
            raise NotFound(f"{what} {key} not found{hint}",
                           {f"{what}_id": [f"No {what} {key}."]})
        return aggregate

    def find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def select_after(self, after: int, limit: int) -> Sequence[Notification]:
        """Stored events with notification id > `after`, in log order."""
        return self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False)

    def last_notification_id(self) -> int:
        return self.recorder.max_notification_id() or 0


def retry_on_conflict(attempts: int = 16, longest_wait: float = 0.2) -> Callable[[F], F]:
    """Re-run a command when a concurrent save won the race for the same aggregate version.

    Each attempt reloads the aggregates, so the command re-checks its rules against the
    winner's state; only after `attempts` losses does the caller see a Conflict. Losers wait
    a short random time (growing with each loss, up to `longest_wait`) so that a crowd of
    them spreads out. A crowd of n on one aggregate needs up to n attempts (one wins each
    round): 16 covers a service's workers and a client's calls in flight on a busy machine.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(attempts):
                try:
                    return func(*args, **kwargs)
                except IntegrityError:
                    time.sleep(random.uniform(0, min(longest_wait, 0.005 * 2**attempt)))
                    continue
            raise Conflict("the aggregate kept changing concurrently; retry the command")

        return wrapper  # type: ignore[return-value]

    return decorate
