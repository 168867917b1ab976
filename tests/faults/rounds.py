"""A round of a drill: a load runs while a fault lands; the round waits for the load, then
for the platform to settle, each against a deadline, and fails at once if a service dies.
Nothing here waits without a limit: past one, it says what it was still waiting for."""

from __future__ import annotations

import time
from typing import Any

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy

from tests.faults import verify
from tests.faults.platform import Platform
from tests.faults.workload import Ledger, Load


class DeadlinePassed(AssertionError):
    """A round (or the drill) outlived its deadline; the message says what was pending."""


def watch(platform: Platform, load: Load, seconds: float, during: str) -> None:
    """Wait for `load` to finish; kill it and raise as soon as a service process exits
    (ServiceDied, naming it, with its log) or `seconds` pass (DeadlinePassed)."""
    deadline = time.monotonic() + seconds
    try:
        while not load.done():
            platform.check_alive(during)
            if time.monotonic() > deadline:
                raise DeadlinePassed(f"{during}: the load did not finish in {seconds:.0f} s; "
                                     f"{load.pending()}")
            eventlet.sleep(0.5)
    except BaseException:
        load.kill()
        raise
    platform.check_alive(during)
    if load.finished != load.total:  # a worker died of something unforeseen
        raise DeadlinePassed(f"{during}: the load's workers stopped early; {load.pending()}")


def settle(platform: Platform, ledger: Ledger, seconds: float, during: str) -> dict[str, Any]:
    """Wait until the stores hold every acknowledged fact and the read model agrees with the
    logs, or `seconds` pass; returns the last check, whatever it found. A service that dies
    meanwhile fails the round at once."""
    deadline = time.monotonic() + seconds
    while True:
        platform.check_alive(during)
        facts, public = verify.stored_facts(platform.amqp_uri)
        found = verify.problems(ledger, facts)
        reconciliation = None
        if not found:
            with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri},
                                 timeout=max(30.0, seconds)) as rpc:
                reconciliation = rpc.reporting.reconcile()
            if not reconciliation["differences"]:
                break
        if time.monotonic() > deadline:
            break
        eventlet.sleep(3)
    return {"problems": found, "public_events": public,
            "differences": None if reconciliation is None else reconciliation["differences"],
            "events_reconciled": None if reconciliation is None
            else reconciliation["events_read"]}
