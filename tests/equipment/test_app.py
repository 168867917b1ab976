"""The equipment Application on SQLite and PostgreSQL: allocation, money, transitions."""

from datetime import date
from decimal import Decimal

import pytest

from scripts.seed_equipment import EQUIPMENT_KZT, RULE, plan, prices
from services.equipment import domain
from services.equipment.app import EquipmentApplication
from services.equipment.contracts import CONTRACTS
from services.equipment.tally import EquipmentTally
from shared.config import event_store_env
from shared.contracts import REGISTRY
from shared.errors import Conflict, DomainRuleViolated, NotFound

PROGRAMME = "aktobe-small-schools"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = EquipmentApplication(env=event_store_env({"EVENT_STORE": store}))
    yield application
    application.close()


def profile(app, organisation_id, pupils, school_year="2023-2024"):
    return app.apply_registry_fact("OrganisationProfileUpdated", dict(
        organisation_id=organisation_id, kind="school", region_code="15",
        district_code="1532", school_year=school_year, locality="rural", small_class=True,
        pupils=pupils, teachers=9, network_role=None))


def join(app, organisation_id, programme_id=PROGRAMME):
    return app.apply_registry_fact("OrganisationJoinedProgramme", dict(
        organisation_id=organisation_id, programme_id=programme_id, kind="school",
        region_code="15", district_code="1532", model="digital_solutions",
        joined_on="2023-02-01"))


def commitment(app, amount_kzt=1_000_000, commitment_id="QH", scope="equipment",
               programme_id=PROGRAMME):
    app.apply_registry_fact("FundingCommitted", dict(
        programme_id=programme_id, commitment_id=commitment_id, funder_id="qh", scope=scope,
        amount_kzt=amount_kzt, currency="KZT", committed_on="2023-02-01"))


def cabinets(app, organisation_id=None):
    items = EquipmentTally(app).list_cabinets(PROGRAMME, organisation_id, None, None, 1000)
    return {(c["organisation_id"], c["kind"]): c for c in items["items"]}


def active_kinds(app, organisation_id):
    return sorted(k for (_, k), c in cabinets(app, organisation_id).items()
                  if c["status"] != "cancelled")


def procure(app, items, contract_ref="C-1", commitment_id="QH"):
    return app.procure(contract_ref=contract_ref, supplier="TOO «Digital Mektep»",
                       commitment_id=commitment_id, procured_on=date(2023, 4, 3),
                       items=[{"cabinet_id": c, "cost_kzt": cost} for c, cost in items])


def allocated_school(app, pupils=60, organisation_id="AKT-001"):
    app.set_allocation_rule(**RULE)
    join(app, organisation_id)
    profile(app, organisation_id, pupils)
    return [c["cabinet_id"] for c in cabinets(app, organisation_id).values()]


# ---------------------------------------------------------------- allocation
def test_allocates_two_cabinets_above_80_pupils_and_one_combined_otherwise(app):
    app.set_allocation_rule(**RULE)
    for organisation_id, pupils in (("AKT-001", 81), ("AKT-002", 80)):
        join(app, organisation_id)
        profile(app, organisation_id, pupils)
    assert active_kinds(app, "AKT-001") == ["online_robotics", "science_lab"]
    assert active_kinds(app, "AKT-002") == ["combined"]


def test_allocation_is_the_same_whatever_the_order_and_duplicates_of_registry_events(app):
    app.set_allocation_rule(**RULE)
    profile(app, "AKT-001", 95)   # the profile before the school joined
    join(app, "AKT-001")
    first = app.last_notification_id()
    profile(app, "AKT-001", 95)   # redelivered
    join(app, "AKT-001")
    assert app.last_notification_id() == first
    assert active_kinds(app, "AKT-001") == ["online_robotics", "science_lab"]


def test_a_rule_set_after_the_schools_joined_allocates_them(app):
    join(app, "AKT-001")
    profile(app, "AKT-001", 40)
    assert cabinets(app) == {}
    app.set_allocation_rule(**RULE)
    assert app.allocate_site("AKT-001", PROGRAMME)[0].kind == "combined"
    assert app.allocate_site("AKT-001", PROGRAMME) == []  # never twice


def test_a_contingent_change_before_procurement_reallocates(app):
    allocated_school(app, pupils=85)
    profile(app, "AKT-001", 78, school_year="2024-2025")
    assert active_kinds(app, "AKT-001") == ["combined"]
    profile(app, "AKT-001", 90, school_year="2025-2026")
    assert active_kinds(app, "AKT-001") == ["online_robotics", "science_lab"]
    assert len(cabinets(app, "AKT-001")) == 3  # reinstated, not duplicated


def test_a_procured_allocation_no_longer_follows_the_contingent(app):
    commitment(app)
    [cabinet] = allocated_school(app, pupils=60)
    procure(app, [(cabinet, 500_000)])
    assert profile(app, "AKT-001", 120, school_year="2024-2025") == []
    assert active_kinds(app, "AKT-001") == ["combined"]


# ---------------------------------------------------------------- money
def test_refuses_a_purchase_beyond_the_commitment_saying_by_how_much(app):
    commitment(app, amount_kzt=1_000_000)
    [cabinet] = allocated_school(app)
    before = app.last_notification_id()
    with pytest.raises(DomainRuleViolated, match="by 1 KZT"):
        procure(app, [(cabinet, 1_000_001)])
    assert app.last_notification_id() == before
    assert app.cabinet(cabinet).status == "allocated"


def test_a_contract_is_charged_once_and_exactly(app):
    commitment(app, amount_kzt=1_000_000)
    [cabinet] = allocated_school(app)
    procure(app, [(cabinet, 999_999)])
    procure(app, [(cabinet, 999_999)])  # re-sent: nothing new
    ledger = app.ledger("QH")
    assert (ledger.charged_kzt, ledger.remaining_kzt) == (999_999, 1)
    with pytest.raises(Conflict):
        procure(app, [(cabinet, 1)], contract_ref="C-2")


def test_only_an_equipment_or_programme_commitment_of_the_same_programme_pays(app):
    commitment(app, commitment_id="TRAINING", scope="training")
    commitment(app, commitment_id="OTHER", programme_id="uralsk-accelerator")
    [cabinet] = allocated_school(app)
    with pytest.raises(DomainRuleViolated, match="for training"):
        procure(app, [(cabinet, 1)], commitment_id="TRAINING")
    with pytest.raises(DomainRuleViolated, match="belongs to programme uralsk"):
        procure(app, [(cabinet, 1)], commitment_id="OTHER")
    with pytest.raises(NotFound):
        procure(app, [(cabinet, 1)], commitment_id="NOWHERE")


# ---------------------------------------------------------------- transitions
def test_no_commissioning_before_delivery_and_no_delivery_before_procurement(app):
    commitment(app)
    [cabinet] = allocated_school(app)
    with pytest.raises(DomainRuleViolated, match="allocated; cannot deliver"):
        app.deliver(cabinet, date(2023, 6, 1), [{"item": "laptop", "quantity": 10}], "ST-1")
    procure(app, [(cabinet, 10)])
    with pytest.raises(DomainRuleViolated, match="procured; cannot commission"):
        app.commission(cabinet, date(2023, 6, 1), Decimal("8.5"))
    with pytest.raises(DomainRuleViolated, match="before procurement"):
        app.deliver(cabinet, date(2023, 1, 1), [{"item": "laptop", "quantity": 10}], "ST-1")
    app.deliver(cabinet, date(2023, 6, 1), [{"item": "laptop", "quantity": 10}], "ST-1")
    with pytest.raises(DomainRuleViolated, match="before delivery"):
        app.commission(cabinet, date(2023, 5, 1), Decimal("8.5"))
    assert app.commission(cabinet, date(2023, 6, 9), Decimal("8.5")).status == "commissioned"


def test_faults_are_reported_and_resolved_once(app):
    commitment(app)
    [cabinet] = allocated_school(app)
    procure(app, [(cabinet, 10)])
    app.deliver(cabinet, date(2023, 6, 1), [{"item": "laptop", "quantity": 10}], "ST-1")
    with pytest.raises(DomainRuleViolated, match="no fault F-1"):
        app.resolve_fault(cabinet, "F-1", date(2023, 6, 2), "fixed")
    with pytest.raises(DomainRuleViolated, match="before delivery") as refused:
        app.report_fault(cabinet, "F-0", date(2023, 5, 20), "dated before the delivery")
    assert "reported_on" in refused.value.errors
    app.report_fault(cabinet, "F-1", date(2023, 6, 2), "panel does not start")
    app.report_fault(cabinet, "F-1", date(2023, 6, 2), "panel does not start")
    with pytest.raises(DomainRuleViolated, match="before it was reported"):
        app.resolve_fault(cabinet, "F-1", date(2023, 6, 1), "fixed")
    app.resolve_fault(cabinet, "F-1", date(2023, 6, 5), "fixed")
    summary = EquipmentTally(app).summary(PROGRAMME)
    assert (summary["faults_reported"], summary["faults_open"]) == (1, 0)


def test_every_internal_equipment_event_is_in_the_contract_map():
    aggregates = [domain.Site, domain.AllocationRule, domain.Cabinet, domain.CommitmentLedger]
    event_classes = {value for aggregate in aggregates for name, value in vars(aggregate).items()
                     if isinstance(value, type) and issubclass(value, aggregate.Event)
                     and name not in ("Event", "Created")}
    assert event_classes == set(CONTRACTS.entries)
    published = {entry.contract.contract_type for entry in CONTRACTS.entries.values() if entry}
    assert published <= set(REGISTRY.types())


# ---------------------------------------------------------------- the seed plan
def test_the_seed_prices_the_pilots_155_cabinets_to_the_exact_tenge():
    kinds = ["combined"] * 113 + ["online_robotics"] * 21 + ["science_lab"] * 21
    cabinets = [{"cabinet_id": f"c{n}", "organisation_id": f"AKT-{n:03d}", "kind": kind,
                 "district_code": "1532" if n % 2 else "1540"} for n, kind in enumerate(kinds)]
    assert sum(prices(cabinets)) == EQUIPMENT_KZT == 2_064_199_025
    seed = plan(cabinets)
    assert sum(i["cost_kzt"] for c in seed.contracts for i in c["items"]) == EQUIPMENT_KZT
    assert len(seed.deliveries) == len(seed.commissionings) == 155
    assert plan(cabinets) == seed


# ---------------------------------------------------------------- other spending
def spend(app, reference, amount_kzt, category="seminars", commitment_id="QH"):
    return app.record_expenditure(commitment_id=commitment_id, reference=reference,
                                  amount_kzt=amount_kzt, spent_on=date(2023, 5, 10),
                                  category=category)


def test_spending_and_purchases_draw_on_one_commitment_and_never_overspend_it(app):
    commitment(app, amount_kzt=1_000_000, scope="programme")
    [cabinet] = allocated_school(app)
    procure(app, [(cabinet, 600_000)])
    spend(app, "PO-1", 300_000)
    with pytest.raises(DomainRuleViolated, match="by 1 KZT") as refused:
        spend(app, "PO-2", 100_001, "trainers_fees")
    assert "amount_kzt" in refused.value.errors
    ledger = spend(app, "PO-2", 100_000, "trainers_fees")
    assert (ledger.charged_kzt, ledger.remaining_kzt) == (1_000_000, 0)
    summary = EquipmentTally(app).summary(PROGRAMME)
    assert summary["expenditure_by_commitment"] == {"QH": 400_000}
    assert summary["remaining_by_commitment"] == {"QH": 0}


def test_a_resent_expenditure_stores_nothing_and_another_amount_is_a_conflict(app):
    commitment(app, amount_kzt=1_000_000, scope="training")
    spend(app, "PO-1", 250_000)
    before = app.last_notification_id()
    spend(app, "PO-1", 250_000)
    assert app.last_notification_id() == before
    with pytest.raises(Conflict) as refused:
        spend(app, "PO-1", 260_000)
    assert "reference" in refused.value.errors


def test_refuses_spending_against_another_programmes_commitment_naming_the_commitment(app):
    # A cabinet's purchase names its programme (the cabinet's) and a commitment; an
    # expenditure names only the commitment, whose programme it then is by definition.
    commitment(app, commitment_id="OTHER", programme_id="uralsk-accelerator")
    [cabinet] = allocated_school(app)
    before = app.last_notification_id()
    with pytest.raises(DomainRuleViolated) as refused:
        procure(app, [(cabinet, 1)], commitment_id="OTHER")
    assert list(refused.value.errors) == ["commitment_id"]
    with pytest.raises(NotFound) as refused:
        spend(app, "PO-1", 1, commitment_id="NOWHERE")
    assert list(refused.value.errors) == ["commitment_id"]
    assert app.last_notification_id() == before
