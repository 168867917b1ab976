"""Reading other services' events at this deployment's contract versions, and what a
consumer does with an event newer than it reads: wait for its upgrade, never set it aside
at once.

Why wait: during a rolling upgrade (docs/contracts.md) the producers publish a new version
only once every consumer runs code that reads it, so an event too new for a consumer means
the consumer is a replica the rollout has not replaced yet, or a rollout went wrong. Neither
is the event's fault, and dead-lettering it would need an operator's replay. So:

- The first time a process meets an event too new, it puts it back at once: another
  consumer of the same queue (an upgraded replica) may take it.
- Met again, it waits `too_new_pause` (1 s) first, so that a consumer left alone with such
  events holds them without spinning.
- `too_new_deadline` (900 s, longer than any rollout) after it first met one, it sets it
  aside (kind "too_new", replayable once upgraded): a replica forgotten on old code shows
  in the dead letters and their alarm instead of holding the stream forever.

Every put-back counts in `baqylau_contract_too_new_total{type,version}`; the events read
from an older version through upcasters in `baqylau_contract_upcasts_total{type,version}`.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from nameko.extensions import DependencyProvider
from prometheus_client import Counter

from shared.contracts import TooNew
from shared.contracts.envelope import Envelope
from shared.contracts.versions import ContractVersions
from shared.poison import read_envelope

TOO_NEW = Counter("baqylau_contract_too_new_total",
                  "Events put back because their contract version is newer than this "
                  "consumer reads (waiting for its upgrade)", ["type", "version"])
REMEMBERED = 10_000  # events too new a process keeps the first sighting of


class TooNewWait:
    """When to put back an event too new for this consumer, and when to give up on it."""

    def __init__(self, pause: float, deadline: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.pause, self.deadline, self.clock = pause, deadline, clock
        self._first_seen: dict[str, float] = {}

    @classmethod
    def from_versions(cls, versions: ContractVersions) -> TooNewWait:
        return cls(versions.too_new_pause, versions.too_new_deadline)

    def reason(self, exc: TooNew) -> str:
        """Why an event too new was set aside: the dead letter's reason."""
        return f"too new, no upgrade in {self.deadline:g} s: {exc}"

    def decide(self, exc: TooNew) -> float | None:
        """Seconds to wait before putting the event back, or None: set it aside now."""
        TOO_NEW.labels(exc.type, str(exc.version)).inc()
        now = self.clock()
        first = self._first_seen.get(exc.event_id)
        if first is None:
            if len(self._first_seen) >= REMEMBERED:  # forget the oldest sighting
                self._first_seen.pop(next(iter(self._first_seen)))
            self._first_seen[exc.event_id] = now
            return 0.0
        if now - first >= self.deadline:
            del self._first_seen[exc.event_id]
            return None
        return self.pause


class EnvelopeReader(DependencyProvider):
    """`reader = EnvelopeReader()` on a consumer: `self.reader.read(message)` is the
    envelope at the versions this deployment reads (CONTRACTS.readable, else the code's
    latest). Raises Unreadable (set aside at once) or TooNew (waited for)."""

    versions: ContractVersions

    def setup(self) -> None:
        self.versions = ContractVersions.from_config(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> EnvelopeReader:
        return self

    def read(self, body: Any) -> Envelope:
        return read_envelope(body, self.versions.readable)
