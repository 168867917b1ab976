"""A service's background loop that outlives whatever it meets.

nameko kills the whole container when a managed thread raises. The loops that follow the
broker or the database (reporting's live feed, the commit listener) each handle the outages
they expect; this is the net under them: anything else is logged and the loop starts again
after a back-off, so a surprise from a driver costs a few seconds of lag, never the process.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import eventlet

log = logging.getLogger(__name__)


def keep_running(name: str, run: Callable[[], None], stopping: Callable[[], bool],
                 initial_backoff: float = 0.2, max_backoff: float = 15.0) -> None:
    """Call `run()` until `stopping()` says so; when it raises (or returns early), say why
    and call it again, backing off from `initial_backoff` doubling to `max_backoff`; a run
    that lasted longer than `max_backoff` resets the back-off."""
    backoff = initial_backoff
    while not stopping():
        started = time.monotonic()
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - the net under the loop: never kill the process
            log.warning("%s stopped: %s: %s; restarting in %.1fs", name,
                        type(exc).__name__, exc, backoff)
        else:
            if stopping():
                return
            log.warning("%s returned; restarting in %.1fs", name, backoff)
        if time.monotonic() - started > max_backoff:
            backoff = initial_backoff
        eventlet.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)
