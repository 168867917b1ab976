"""An in-process fold of a service's own notification log, for its list and summary queries.

Event stores answer "get aggregate by id"; questions across aggregates (how many schools in
a programme, which organisations in a district) need a fold. This one follows the log from
where it last stopped, so a query costs only the events stored since the previous query,
and it can be thrown away and rebuilt at any time. Funders' figures come from the reporting
service; a fold is the service's own view of what it holds.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

from shared.application import ServiceApplication

T = TypeVar("T")


class LogFold:
    def __init__(self, app: ServiceApplication, page: int = 1000) -> None:
        self.app = app
        self.page = page
        self.position = 0
        self._lock = threading.Lock()

    def read(self, query: Callable[[], T]) -> T:
        """Catch up with the log, then answer `query` from a consistent state."""
        with self._lock:
            self._catch_up()
            return query()

    def _catch_up(self) -> None:
        while batch := self.app.select_after(self.position, self.page):
            for notification in batch:
                self.apply(self.app.mapper.to_domain_event(notification))
            self.position = batch[-1].id

    def apply(self, event: Any) -> None:
        raise NotImplementedError
