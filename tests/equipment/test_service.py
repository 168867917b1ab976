"""Equipment and registry in nameko containers over the real RabbitMQ and PostgreSQL:
allocation follows the registry's published events; money and transitions over RPC."""

import random
import time
from types import SimpleNamespace

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from scripts import load_equipment, load_registry
from scripts.seed_equipment import RULE
from scripts.seed_registry import _Maker
from services.equipment.service import EquipmentService
from services.registry.service import RegistryService
from shared.errors import DomainRuleViolated, InvalidInput, NotFound
from tests.conftest import config_for

pytestmark = pytest.mark.integration

PROGRAMME = RULE["programme_id"]
SCHOOL = dict(bin="940140000385", kind="school", name_kk="№1 мектеп", name_ru="Школа №1",
              kato="153220100", school_year="2023-2024", locality="rural", small_class=True,
              teachers=9)
BINS = ["940140000385", "990140004654", "010140000004"]


@pytest.fixture
def services(container_factory, rabbit_config, pg_databases):
    registry_config = config_for(rabbit_config, pg_databases())
    equipment_config = config_for(rabbit_config, pg_databases())
    # Equipment first: its durable queues exist before the registry publishes anything.
    container_factory(EquipmentService, equipment_config).start()
    container_factory(RegistryService, registry_config).start()
    with ServiceRpcProxy("registry", registry_config) as registry, \
            ServiceRpcProxy("equipment", equipment_config) as equipment:
        yield registry, equipment


def launch(registry, amount_kzt=1_000_000):
    registry.register_funder(funder_id="qh", name_kk="«Қазақстан халқына»", name_ru="Фонд",
                             organisation_type="60")
    registry.launch_programme(programme_id=PROGRAMME, name_kk="Пилот", name_ru="Пилот",
                              regions=["15"], start="2023-01-01", end="2024-12-31",
                              models=["digital_solutions"], budget_kzt=4_063_255_771)
    registry.commit_funding(programme_id=PROGRAMME, funder_id="qh", commitment_id="QH",
                            scope="equipment", amount_kzt=amount_kzt, committed_on="2023-02-01")


def join_small_schools(registry, prefix, count, seed):
    """`count` schools of 45 pupils (one combined cabinet each) join the pilot."""
    make = _Maker(random.Random(seed))
    for n in range(count):
        registry.register_organisation(organisation_id=f"{prefix}{n:02d}", bin=make.bin(),
                                       pupils=45, **{k: v for k, v in SCHOOL.items()
                                                     if k != "bin"})
        registry.join_programme(programme_id=PROGRAMME, organisation_id=f"{prefix}{n:02d}",
                                model="digital_solutions", joined_on="2023-02-01")


def enrol_school(registry, n, pupils):
    registry.register_organisation(organisation_id=f"AKT-{n:03d}", bin=BINS[n], pupils=pupils,
                                   **{k: v for k, v in SCHOOL.items() if k != "bin"})
    registry.join_programme(programme_id=PROGRAMME, organisation_id=f"AKT-{n:03d}",
                            model="digital_solutions", joined_on="2023-02-01")


def wait_for(check, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def cabinets(equipment):
    return equipment.list_cabinets(programme_id=PROGRAMME, status="allocated")["items"]


def test_registry_events_drive_allocation_over_rabbitmq(services):
    registry, equipment = services
    equipment.set_allocation_rule(**RULE)
    launch(registry)
    enrol_school(registry, 0, pupils=120)
    enrol_school(registry, 1, pupils=45)
    allocated = wait_for(lambda: len(cabinets(equipment)) == 3 and cabinets(equipment))
    assert sorted((c["organisation_id"], c["kind"]) for c in allocated) == [
        ("AKT-000", "online_robotics"), ("AKT-000", "science_lab"), ("AKT-001", "combined")]
    assert wait_for(lambda: equipment.get_commitment(commitment_id="QH")["amount_kzt"]
                    if _exists(equipment) else None) == 1_000_000
    # Catching up from the registry's log afterwards stores nothing new (the events it may
    # apply were delivered live), and leaves the watermark at the log's end.
    stored = equipment.notifications(after=0, limit=1)["last_notification_id"]
    caught_up = equipment.catch_up_registry()
    assert caught_up["applied"] <= 5  # 2 registrations, 2 joins, 1 commitment at most
    assert caught_up["after"] == registry.notifications(after=0, limit=1)[
        "last_notification_id"]
    assert equipment.notifications(after=0, limit=1)["last_notification_id"] == stored
    assert equipment.catch_up_registry()["read"] == 0  # from the watermark, not from zero


def _exists(equipment):
    try:
        equipment.get_commitment(commitment_id="QH")
    except NotFound:
        return False
    return True


def test_a_new_equipment_database_fills_itself_from_the_registry_log(services):
    registry, equipment = services
    launch(registry)
    enrol_school(registry, 2, pupils=70)
    equipment.catch_up_registry()     # whatever the broker has or has not delivered yet
    result = equipment.set_allocation_rule(**RULE)
    assert result["cabinets_changed"] in (0, 1)  # 0 if the live event allocated it first
    assert [c["kind"] for c in cabinets(equipment)] == ["combined"]


def test_procurement_and_transitions_over_rpc(services):
    registry, equipment = services
    equipment.set_allocation_rule(**RULE)
    launch(registry, amount_kzt=1_000_000)
    enrol_school(registry, 1, pupils=45)
    [cabinet] = wait_for(lambda: cabinets(equipment))
    equipment.catch_up_registry()
    contract = dict(contract_ref="C-1", supplier="TOO «Digital Mektep»", commitment_id="QH",
                    procured_on="2023-04-03",
                    items=[{"cabinet_id": cabinet["cabinet_id"], "cost_kzt": 1_000_001}])
    with pytest.raises(DomainRuleViolated, match="by 1 KZT"):
        equipment.procure(**contract)
    with pytest.raises(InvalidInput) as caught:
        equipment.procure(**{**contract, "items": [{"cabinet_id": cabinet["cabinet_id"],
                                                    "cost_kzt": 999.5}]})
    assert "items" in caught.value.errors
    contract["items"][0]["cost_kzt"] = 1_000_000
    equipment.procure(**contract)
    assert equipment.get_commitment(commitment_id="QH")["remaining_kzt"] == 0
    with pytest.raises(DomainRuleViolated, match="cannot commission"):
        equipment.commission(cabinet_id=cabinet["cabinet_id"], accepted_on="2023-06-01",
                             internet_mbps="4.5")
    equipment.deliver(cabinet_id=cabinet["cabinet_id"], delivered_on="2023-06-01",
                      items=[{"item": "laptop", "quantity": 10}], received_by="STAFF-7")
    done = equipment.commission(cabinet_id=cabinet["cabinet_id"], accepted_on="2023-06-05",
                                internet_mbps="4.5")
    assert (done["status"], done["internet_mbps"]) == ("commissioned", "4.5")
    summary = equipment.summary(programme_id=PROGRAMME)
    assert (summary["schools_equipped"], summary["procured_kzt"]) == (1, 1_000_000)
    with pytest.raises(InvalidInput) as caught:
        equipment.deliver(cabinet_id=cabinet["cabinet_id"], delivered_on="2023-06-01",
                          items=[], received_by="Асқар Жұмабаев")
    assert set(caught.value.errors) == {"items", "received_by"}


def test_the_aktobe_pilot_seed_comes_back_exact_to_the_tenge(services):
    registry, equipment = services
    rpc = SimpleNamespace(registry=registry, equipment=equipment)
    load_equipment.set_rule(rpc)
    load_registry.load(rpc)
    load_equipment.load(rpc)
    summary = equipment.summary(programme_id=PROGRAMME)
    assert summary["cabinets_by_kind"] == {"combined": 113, "online_robotics": 21,
                                           "science_lab": 21}
    assert summary["schools_by_cabinet_count"] == {"1": 113, "2": 21}
    assert summary["procured_kzt"] == 2_064_199_025
    assert summary["remaining_by_commitment"]["AKT-QH-EQUIPMENT"] == 0
    assert (summary["cabinets_commissioned"], summary["schools_equipped"]) == (155, 134)
    assert (summary["faults_reported"], summary["faults_open"]) == (9, 2)
    stored = equipment.notifications(after=0, limit=1)["last_notification_id"]
    load_equipment.load(rpc)  # the demo runs twice safely
    assert equipment.notifications(after=0, limit=1)["last_notification_id"] == stored


def test_concurrent_purchases_never_overspend_and_concurrent_steps_lose_nothing(services):
    registry, equipment = services
    equipment.set_allocation_rule(**RULE)
    launch(registry, amount_kzt=10_000_000)
    join_small_schools(registry, "AKT-C", 12, seed=5)
    allocated = wait_for(lambda: len(cabinets(equipment)) == 12 and cabinets(equipment))
    equipment.catch_up_registry()
    # Twelve contracts of 1,000,000 KZT at once against a 10,000,000 KZT commitment.
    replies = [equipment.procure.call_async(
        contract_ref=f"C-{n}", supplier="TOO «Digital Mektep»", commitment_id="QH",
        procured_on="2023-04-03", items=[{"cabinet_id": c["cabinet_id"], "cost_kzt": 1_000_000}])
        for n, c in enumerate(allocated)]
    accepted, refused = [], []
    for reply in replies:
        try:
            accepted.append(reply.result())
        except DomainRuleViolated as exc:
            refused.append(str(exc))
    assert (len(accepted), len(refused)) == (10, 2)
    assert all("exceeds" in reason for reason in refused)
    ledger = equipment.get_commitment(commitment_id="QH")
    assert (ledger["charged_kzt"], ledger["remaining_kzt"], len(ledger["charges"])) == (
        10_000_000, 0, 10)
    procured = [c for c in equipment.list_cabinets(programme_id=PROGRAMME, limit=100)["items"]
                if c["status"] == "procured"]
    assert len(procured) == 10
    # The first cabinet is delivered before its faults can be reported (a fault on a cabinet
    # still in procurement is refused); then the nine other deliveries and three faults on
    # that one cabinet arrive all at once.
    def deliver(cabinet):
        return equipment.deliver.call_async(
            cabinet_id=cabinet["cabinet_id"], delivered_on="2023-06-01",
            items=[{"item": "laptop", "quantity": 10}], received_by="STAFF-7")
    deliver(procured[0]).result()
    steps = [deliver(c) for c in procured[1:]]
    steps += [equipment.report_fault.call_async(
        cabinet_id=procured[0]["cabinet_id"], fault_id=f"F-{n}", reported_on="2023-06-02",
        description="projector does not start") for n in range(3)]
    for reply in steps:
        reply.result()
    summary = equipment.summary(programme_id=PROGRAMME)
    assert (summary["cabinets_delivered"], summary["faults_reported"]) == (10, 3)


def test_purchases_and_other_spending_at_once_never_overspend_one_commitment(services):
    """Charges from two kinds of command arriving together (in production, from several
    replicas): one ledger per commitment takes them all, so the sum never passes it."""
    registry, equipment = services
    equipment.set_allocation_rule(**RULE)
    launch(registry, amount_kzt=10_000_000)
    join_small_schools(registry, "AKT-S", 6, seed=9)
    allocated = wait_for(lambda: len(cabinets(equipment)) == 6 and cabinets(equipment))
    equipment.catch_up_registry()
    replies = [equipment.procure.call_async(
        contract_ref=f"C-{n}", supplier="TOO «Digital Mektep»", commitment_id="QH",
        procured_on="2023-04-03", items=[{"cabinet_id": c["cabinet_id"], "cost_kzt": 1_000_000}])
        for n, c in enumerate(allocated)]
    replies += [equipment.record_expenditure.call_async(
        commitment_id="QH", reference=f"PO-{n}", amount_kzt=1_000_000, spent_on="2023-05-02",
        category="materials") for n in range(6)]
    accepted, refused = 0, []
    for reply in replies:
        try:
            reply.result()
            accepted += 1
        except DomainRuleViolated as exc:
            refused.append(exc)
    assert (accepted, len(refused)) == (10, 2)
    assert all("exceeds" in str(exc) and "by 1000000 KZT" in str(exc) for exc in refused)
    ledger = equipment.get_commitment(commitment_id="QH")
    assert (ledger["charged_kzt"], ledger["remaining_kzt"]) == (10_000_000, 0)
