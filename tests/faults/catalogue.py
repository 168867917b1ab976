"""Every fault the drill can land mid-stream, by name, and which of them a run picks
(FAULT_ROUNDS: `all`, `quick`, or names separated by commas). Each fault returns the figures
it measured (e.g. how long publishing stopped), which go into the round's record."""

from __future__ import annotations

import re
import time
from typing import Any, Callable

import requests

from tests.faults import servers
from tests.faults.platform import Platform

Fault = Callable[[Platform], dict[str, Any]]
RELAYS = ("registry", "equipment", "assessment", "training")


def kill_and_restart(platform: Platform, instance: str, pause: float = 1) -> None:
    platform.kill(instance)
    time.sleep(pause)
    platform.start(instance)


def kill_relay_holder(service: str) -> Fault:
    """SIGKILL the replica whose relay holds the lock. Measured from the kill: when another
    replica's relay says it holds the lock, and when the relay's stored position moves
    (publishing resumed). On a fast run the load may have nothing left for this service
    by then: the survivor must then hold the lock with everything stored published, and
    the pause is not measured (None); the later rounds publish through it."""
    def inject(platform: Platform) -> dict[str, Any]:
        holder = platform.relay_holder(service)
        before = platform.relay_position(service)
        platform.kill(holder)
        killed = time.monotonic()
        survivors = [name for name in platform.replicas(service) if name != holder]
        taken = moved = None
        while True:
            now = time.monotonic() - killed
            if taken is None and platform.relay_holder(service, timeout=0, among=survivors):
                taken = now
            position = platform.relay_position(service)
            if moved is None and position > before:
                moved = now
            idle = position >= platform.log_head(service)
            if taken is not None and (moved is not None or idle):
                break
            if now > 60:
                raise AssertionError(f"{service}: 60 s after {holder}, its relay's lock "
                                     f"holder, was killed: lock taken after {taken} s, "
                                     f"position moved after {moved} s, "
                                     f"{platform.log_head(service) - position} events unpublished")
            time.sleep(0.05)
        platform.start(holder)
        return {"killed": holder, "lock_taken_after_seconds": round(taken, 2),
                "publish_pause_seconds": None if moved is None else round(moved, 2)}
    return inject


def projected(platform: Platform, instance: str) -> float:
    """How many live events `instance` (of reporting) has committed so far."""
    text = requests.get(f"{platform.web(instance)}/metrics", timeout=5).text
    found = re.search(r"^baqylau_projection_lag_seconds_count (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def kill_busy_reporting(platform: Platform) -> dict[str, Any]:
    """SIGKILL the reporting replica that is applying the stream right now (the one whose
    committed count rose most over the last half second), so that a batch is in its hands."""
    replicas = platform.replicas("reporting")
    first = {name: projected(platform, name) for name in replicas}
    time.sleep(0.5)
    rose = {name: projected(platform, name) - first[name] for name in replicas}
    busiest = max(rose, key=lambda name: rose[name])
    kill_and_restart(platform, busiest)
    return {"killed": busiest, "events_committed_in_the_half_second_before": rose}


def kill_every_replica_in_turn(service: str) -> Fault:
    def inject(platform: Platform) -> dict[str, Any]:
        started = time.monotonic()
        for instance in platform.replicas(service):
            kill_and_restart(platform, instance)
        return {"killed": platform.replicas(service),
                "seconds": round(time.monotonic() - started, 1)}
    return inject


def graceful(restart: Callable[[], None]) -> Fault:
    def inject(_platform: Platform) -> dict[str, Any]:
        started = time.monotonic()
        restart()
        return {"down_seconds": round(time.monotonic() - started, 1)}
    return inject


# ---------------------------------------------------------------- a broken network
# The services reach both servers through tests.faults.proxy (the drill makes one when it
# picks any of these); what they do meanwhile is the test: recover by themselves.
LATENCY, SLOW_FOR, CUTS, CUT_EVERY, HOLE = 0.05, 15.0, 4, 3.0, 10.0


def slow_network(platform: Platform) -> dict[str, Any]:
    links = platform.network.everywhere("latency", LATENCY)
    time.sleep(SLOW_FOR)
    platform.network.everywhere("clear")
    return {"latency_seconds_each_way": LATENCY, "for_seconds": SLOW_FOR, "links": links}


def cut_network(platform: Platform) -> dict[str, Any]:
    cut = 0
    for _ in range(CUTS):
        cut += platform.network.everywhere("cut")
        time.sleep(CUT_EVERY)
    return {"cuts": CUTS, "every_seconds": CUT_EVERY, "connections_cut": cut}


def black_hole(platform: Platform) -> dict[str, Any]:
    links = platform.network.everywhere("blackhole", HOLE)
    time.sleep(HOLE)
    return {"black_holed_seconds": HOLE, "links_held": links}


def _kill_service(service: str) -> Fault:
    # One replica each: the service is gone until it restarts (the drill without replicas).
    def inject(platform: Platform) -> dict[str, Any]:
        kill_and_restart(platform, service)
        return {"killed": service}
    return inject


def catalogue(replicas: int) -> dict[str, Fault]:
    faults: dict[str, Fault] = {}
    for service in RELAYS:
        if replicas > 1:
            faults[f"SIGKILL {service}'s relay holder"] = kill_relay_holder(service)
        else:
            faults[f"SIGKILL {service}"] = _kill_service(service)
    faults["SIGKILL reporting mid-batch" if replicas > 1 else "SIGKILL reporting"] = (
        kill_busy_reporting if replicas > 1 else _kill_service("reporting"))
    if replicas > 1:
        faults["SIGKILL both equipment replicas in turn"] = kill_every_replica_in_turn(
            "equipment")
    faults["RabbitMQ stopped and restarted"] = graceful(servers.restart_rabbitmq)
    faults["RabbitMQ node SIGKILLed"] = lambda _platform: servers.crash_rabbitmq()
    faults["PostgreSQL restarted"] = graceful(servers.restart_postgresql)
    faults["PostgreSQL postmaster SIGKILLed"] = lambda _platform: servers.crash_postgresql()
    faults["network: 50 ms latency"] = slow_network
    faults["network: connections cut mid-stream"] = cut_network
    faults["network: black-holed for 10 s"] = black_hole
    return faults


def needs_network(faults: list[tuple[str, Fault]]) -> bool:
    return any(name.startswith("network") for name, _ in faults)


# `make test`'s smaller drill: a failover of every relay and of reporting, both servers
# restarted; the hard crashes and the rest are `make faults`'.
QUICK = ("relay holder", "reporting", "RabbitMQ stopped", "PostgreSQL restarted")


# Faults the platform does not survive yet, left out of `all` (name them to run them).
OPEN: dict[str, str] = {}


def chosen(replicas: int, names: str) -> list[tuple[str, Fault]]:
    faults = catalogue(replicas)
    if names == "all":
        return [(name, f) for name, f in faults.items() if name not in OPEN]
    if names == "quick":
        return [(name, f) for name, f in faults.items() if any(q in name for q in QUICK)]
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in faults]
    if unknown:
        raise ValueError(f"unknown faults {unknown}; known: {list(faults)}")
    return [(name, faults[name]) for name in wanted]
