"""The RPC command path beside a bare nameko ping: `training.enrol` sent as the `academy`
principal, with the access check every command passes (shared/access/caller.py) and
without it, in alternating rounds of one run.

The setting is the deployment's. training and the registry run as their own broker users
on the bench's vhost, with their roles' permissions there (shared/access/broker.py). The
registry holds the programme "bench", one school of it, and the grant of that programme
alone to `academy`; training's book has the grant from the registry. So a checked call
goes the full way: the caller's grant, its role's table, and the programme of the course
it names (`course_id` → the course's programme, kept by the process once found).

One training container serves both variants, switched between rounds: they differ by the
check alone, not also by a new pool and relay each round, and a switch costs nothing where
a container's stop takes about 2 s. (Two containers could not run side by side: academy's
broker permissions name the routing key `training.enrol`, so both would answer on one
queue.) The rounds go A B B A A B B A..., so a drift of the machine or of the growing store
falls on both alike.
"""

from __future__ import annotations

import inspect
import statistics
import time
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from nameko.containers import ServiceContainer
from nameko.rpc import rpc

from bench.databases import drop_database, scratch_database
from scripts.principals import admin_session, management, uri
from scripts.rpc_catalogue import entrypoints
from services.registry.service import RegistryService
from services.training.service import TrainingService
from shared.access.broker import apply, permissions
from shared.access.roles import OPERATORS, SERVICE
from shared.calling import ClusterRpcProxy
from shared.commands import _entrypoint
from shared.kz_bin import check_digit

IN_FLIGHT = 10
WARM_UP = 200  # calls answered before any is timed: pools filled, the grant and course known
ROLES = {OPERATORS: OPERATORS, "registry": SERVICE, "training": SERVICE, "academy": "academy"}
PROGRAMME, SCHOOL = "bench", "BENCH-S1"


class PingService:
    name = "ping"

    @rpc
    def ping(self) -> str:
        return "pong"


CHECKED = TrainingService.enrol
UNCHECKED = inspect.unwrap(TrainingService.enrol)  # the command itself, as `authorised` got it


class SwitchedTraining(TrainingService):
    """training whose `enrol` runs with its access check or without it, as `checking` says
    (set between rounds, never while a call is in flight)."""

    checking = True

    @_entrypoint
    def enrol(self, **payload: Any) -> dict[str, Any]:
        return (CHECKED if self.checking else UNCHECKED)(self, **payload)


VARIANTS = ("checked", "unchecked")


def principals(amqp: str) -> dict[str, str]:
    """Each principal's AMQP URI on `amqp`'s vhost, with its role's permissions there. The
    users and their passwords are the stack's (`make up`, scripts/principals.py)."""
    vhost = unquote(urlsplit(amqp).path.lstrip("/")) or "/"
    session, api, catalogue = admin_session(), management(), entrypoints()
    for name, role in ROLES.items():
        apply(session, api, vhost, name, permissions(name, role, catalogue))
    return {name: uri(name, vhost) for name in ROLES}


def rate_of_calls(make_call: Callable[[int], Any], n: int) -> float:
    started = time.perf_counter()
    for first in range(0, n, IN_FLIGHT):
        for reply in [make_call(i) for i in range(first, min(first + IN_FLIGHT, n))]:
            reply.result()
    return n / (time.perf_counter() - started)


def bare_rpc_ping(amqp: str, calls: int) -> float:
    container = ServiceContainer(PingService, {"AMQP_URI": amqp})
    container.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp}) as proxy:
            rate_of_calls(lambda i: proxy.ping.ping.call_async(), WARM_UP)
            return rate_of_calls(lambda i: proxy.ping.ping.call_async(), calls)
    finally:
        container.stop()


def enrol_with_and_without_check(uris: dict[str, str], calls: int,
                                 rounds: int) -> dict[str, Any]:
    """Calls/s of `training.enrol` as academy, checked and unchecked: the median of
    `rounds` rounds each, `calls // rounds` calls a round, and every round's rate."""
    registry_store, training_store = scratch_database(), scratch_database()
    registry = ServiceContainer(RegistryService, config(uris["registry"], registry_store))
    training = ServiceContainer(SwitchedTraining, config(uris["training"], training_store))
    per_round = max(calls // rounds, IN_FLIGHT)
    rates: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    try:
        registry.start()
        training.start()
        with ClusterRpcProxy({"AMQP_URI": uris[OPERATORS]}, timeout=60) as operators, \
                ClusterRpcProxy({"AMQP_URI": uris["academy"]}, timeout=60) as academy:
            seed_registry(operators)
            operators.training.catch_up_registry()  # the registry's facts, now
            course = academy.training.schedule_course(
                programme_id=PROGRAMME, code="C1", title="Bench", subject="s", format="online",
                audience="teacher", planned_hours="10", provider="p")["id"]
            rate_of_calls(enrolling(academy, course, 0), WARM_UP)
            enrolled = WARM_UP
            for variant in alternating(rounds):
                SwitchedTraining.checking = variant == "checked"
                rates[variant].append(rate_of_calls(enrolling(academy, course, enrolled),
                                                    per_round))
                enrolled += per_round
    finally:
        SwitchedTraining.checking = True
        training.stop()
        registry.stop()
        drop_database(registry_store)
        drop_database(training_store)
    return {"enrol": statistics.median(rates["checked"]),
            "enrol_unchecked": statistics.median(rates["unchecked"]),
            "enrol_rounds": {"calls_each": per_round, **rates}}


def access_summary(broker: dict[str, Any]) -> str:
    """The check's cost in per cent of enrol's rate, with every round behind the medians."""
    rounds = broker["enrol_rounds"]
    return (f"the access check: enrol {broker['enrol']:,.0f} calls/s with it, "
            f"{broker['enrol_unchecked']:,.0f} without it, "
            f"{100 * (broker['enrol'] / broker['enrol_unchecked'] - 1):+.1f} % (medians of "
            f"{len(rounds['checked'])} alternating rounds of {rounds['calls_each']} calls; "
            f"with: {', '.join(f'{r:,.0f}' for r in rounds['checked'])}; "
            f"without: {', '.join(f'{r:,.0f}' for r in rounds['unchecked'])})")


def alternating(rounds: int) -> list[str]:
    return [v for r in range(rounds) for v in (VARIANTS if r % 2 == 0 else VARIANTS[::-1])]


def config(amqp: str, store: dict) -> dict[str, Any]:
    return {"AMQP_URI": amqp, "EVENT_STORE": store, "WEB_SERVER_ADDRESS": "127.0.0.1:0",
            # named here: BAQYLAU_OPERATORS in the environment would rename them
            "ACCESS": {"operators": OPERATORS}}


def seed_registry(operators: Any) -> None:
    """The programme "bench" with one school, and its grant to academy alone."""
    serial = 1
    while (digit := check_digit(f"2401400{serial:04d}")) is None:
        serial += 1
    operators.registry.register_organisation(
        organisation_id=SCHOOL, bin=f"2401400{serial:04d}{digit}", kind="school",
        name_kk="Мектеп", name_ru="Школа", kato="153220100", school_year="2024-2025",
        locality="rural", small_class=True, pupils=40, teachers=8)
    operators.registry.launch_programme(
        programme_id=PROGRAMME, name_kk="Бағдарлама", name_ru="Программа", regions=["15"],
        start="2024-06-01", end="2025-05-31", models=["online_teaching"],
        budget_kzt=90_000_000)
    operators.registry.join_programme(programme_id=PROGRAMME, organisation_id=SCHOOL,
                                      model="online_teaching", joined_on="2024-09-01")
    operators.registry.grant_access(principal="academy", role="academy",
                                    programmes=[PROGRAMME])


def enrolling(academy: Any, course: str, first: int) -> Callable[[int], Any]:
    """The i-th call enrols a new teacher: each call stores one enrolment."""
    return lambda i: academy.training.enrol.call_async(
        course_id=course, participant_id=f"T-{first + i}", school_id=SCHOOL,
        role="teacher", enrolled_on="2024-09-02")
