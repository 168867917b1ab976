"""The five services on a throwaway vhost and databases, each as its own broker user, and
broker users for outside systems of every role: the setting of the attacks in this folder.

The tests' guest is the operators' principal (tests/conftest.py). The registry is seeded
by it: a funder, two programmes with a school each, a course of each programme, a round of
the first, a commitment of each. Then the outside systems are granted the first programme.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from nameko.containers import ServiceContainer
from nameko.testing.utils import find_free_port

from services.assessment.service import AssessmentService
from services.equipment.service import EquipmentService
from services.registry.service import RegistryService
from services.reporting.service import ReportingService
from services.training.service import TrainingService
from shared.calling import ClusterRpcProxy
from tests.training.registry import bin_of

CLASSES = {"registry": RegistryService, "training": TrainingService,
           "equipment": EquipmentService, "assessment": AssessmentService,
           "reporting": ReportingService}
SOURCES = ("registry", "training", "equipment", "assessment")
# Outside systems: each role, one with a broker user but no grant, and one whose broker
# permissions are the operators' while its grant is a reader's (so the services' own check
# is what refuses it).
OUTSIDERS = {"academy": "academy", "ejournal": "school-data", "finance": "finance",
             "reader": "reader", "ungranted": "academy", "wide": "operators"}
GRANTS = {"academy": "academy", "ejournal": "school-data", "finance": "finance",
          "reader": "reader", "wide": "reader"}
FIRST, SECOND = "acc-first", "acc-second"
SCHOOL_YEAR = "2024-2025"


@dataclass
class Platform:
    amqp_uri: str
    users: Any  # tests/principals.Principals: names and .uris
    containers: dict[str, list[ServiceContainer]] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)

    def rpc(self, who: str = "operators", timeout: float = 20) -> ClusterRpcProxy:
        uri = self.amqp_uri if who == "operators" else self.users.uris[who]
        return ClusterRpcProxy({"AMQP_URI": uri}, timeout=timeout)

    def last_ids(self) -> dict[str, int]:
        """Each event store's last notification id: equal before and after, nothing stored."""
        with self.rpc() as rpc:
            return {s: rpc[s].notifications(after=0, limit=1)["last_notification_id"]
                    for s in SOURCES}

    def books(self, service: str) -> list[Any]:
        return [next(d.book for d in c.dependencies if hasattr(d, "book"))
                for c in self.containers[service]]


def start(platform: Platform, new_database: Any, replicas: dict[str, int]) -> None:
    services = ",".join(platform.users[name] for name in CLASSES)
    for name, cls in CLASSES.items():
        store = new_database()  # one per service, shared by its replicas
        for _ in range(replicas.get(name, 1)):
            config: dict[str, Any] = {
                "AMQP_URI": platform.users.uris[name],
                "ACCESS": {"operators": "guest", "services": services},
                "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
                "RELAY": {"poll_interval": 0.2}, "CATCH_UP": {"interval": 2},
                "PSEUDONYM_KEY": "access-tests-only-pseudonym-key-01"}
            if name == "reporting":
                config["READ_MODEL"] = {key: store[key] for key in
                                        ("host", "port", "dbname", "user", "password")}
            else:
                config["EVENT_STORE"] = store
            container = ServiceContainer(cls, config)
            container.start()
            platform.containers.setdefault(name, []).append(container)


def seed(platform: Platform) -> None:
    """Reference data as operators, then a grant of the first programme to each outsider."""
    with platform.rpc(timeout=60) as rpc:
        rpc.registry.register_funder(funder_id="acc-funder", name_kk="Қор", name_ru="Фонд",
                                     organisation_type="60")
        for n, programme in enumerate((FIRST, SECOND)):
            rpc.registry.launch_programme(
                programme_id=programme, name_kk="Бағдарлама", name_ru="Программа",
                regions=["15"], start="2024-06-01", end="2025-05-31",
                models=["online_teaching"], budget_kzt=90_000_000)
            school = f"ACC-{n}"
            rpc.registry.register_organisation(
                organisation_id=school, bin=bin_of(school), kind="school",
                name_kk="Мектеп", name_ru="Школа", kato="153220100",
                school_year=SCHOOL_YEAR, locality="rural", small_class=True, pupils=40,
                teachers=8)
            rpc.registry.join_programme(programme_id=programme, organisation_id=school,
                                        model="online_teaching", joined_on="2024-09-01")
            rpc.registry.commit_funding(programme_id=programme, funder_id="acc-funder",
                                        commitment_id=f"{programme}-c", scope="programme",
                                        amount_kzt=10_000_000, committed_on="2024-06-02")
        for service in ("training", "equipment", "assessment"):
            rpc[service].catch_up_registry()
        for programme in (FIRST, SECOND):
            course = rpc.training.schedule_course(
                programme_id=programme, code="C1", title="Курс", subject="management",
                format="online", audience="teacher", planned_hours="4", provider="Academy")
            platform.made[f"course:{programme}"] = course["id"]
            rpc.assessment.open_round(
                round_id=f"{programme}-r", programme_id=programme, school_year=SCHOOL_YEAR,
                phase="baseline", grades=[6], opened_on="2024-09-10",
                subjects={"math": {"max_score": 40, "threshold": 20}})
        for label, role in GRANTS.items():
            rpc.registry.grant_access(principal=platform.users[label], role=role,
                                      programmes=[FIRST])
    settle(platform)


def settle(platform: Platform, quiet: float = 3.0, timeout: float = 60.0) -> None:
    """Until no store has grown for `quiet` seconds: the consumers have learnt the seed's
    registry facts, so a test's before and after differ only by what the test did."""
    last, since, began = platform.last_ids(), time.monotonic(), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() - began < timeout, f"stores still growing: {last}"
        time.sleep(0.5)
        now = platform.last_ids()
        if now != last:
            last, since = now, time.monotonic()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"

