"""Equipment as a consumer of the registry's events, over the real RabbitMQ and PostgreSQL:
poison ends in equipment.dead-letter after its tries, a database outage is waited out, a
replay applies the event once, and what its queues missed is filled from the registry's log
within one catch-up interval."""

import psycopg2
import pytest

from scripts.seed_equipment import RULE
from services.equipment.app import EquipmentApplication
from services.equipment.domain import CommitmentLedger
from services.equipment.service import EquipmentService
from shared.errors import NotFound
from tests.equipment.test_service import cabinets, enrol_school, launch
from tests.shared import consumers as c

pytestmark = pytest.mark.integration

HANDLERS = {"on_organisation_registered": "OrganisationRegistered",
            "on_profile_updated": "OrganisationProfileUpdated",
            "on_joined_programme": "OrganisationJoinedProgramme",
            "on_funding_committed": "FundingCommitted"}


@pytest.fixture
def start(container_factory, rabbit_config, pg_databases):
    return lambda **extra: c.start_with_registry(container_factory, rabbit_config,
                                                 pg_databases, EquipmentService, **extra)


def ledger_opened(equipment):
    try:
        return equipment.get_commitment(commitment_id="QH")
    except NotFound:
        return None


def fails_for_qh(event_type, data):
    # None: not the event under test, let it through untouched.
    return None if data.get("commitment_id") != "QH" else fails_for_qh.on


def test_poison_is_set_aside_after_its_tries_and_a_replay_applies_it_once(start, monkeypatch):
    fails_for_qh.on = True
    seen = c.failing(monkeypatch, EquipmentApplication, "apply_registry_fact", fails_for_qh,
                     lambda: RuntimeError("a bug in opening ledgers"))
    s = start(**c.POISON_CONFIG)
    failed, unreadable = (c.dead_letters_counted(s.web, k) for k in ("handler_failed",
                                                                        "unreadable"))
    c.publish_unreadable(s.amqp, "registry", "FundingCommitted")
    launch(s.registry)  # its FundingCommitted fails in the handler, every time
    found = c.wait_for(lambda: (lambda d: d["waiting"] == 2 and d)(
        s.consumer.list_dead_letters()), "2 letters in equipment.dead-letter")
    by_failure = {letter["failure"]: letter for letter in found["letters"]}
    assert set(by_failure) == {"unreadable", "handler_failed"}
    letter = by_failure["handler_failed"]
    assert letter["type"] == "FundingCommitted"
    assert letter["queue"] == "evt-registry-FundingCommitted--equipment.on_funding_committed"
    assert "handler failed 3 times: RuntimeError: a bug in opening ledgers" in letter["reason"]
    assert seen["calls"] == 3 and ledger_opened(s.consumer) is None
    assert c.dead_letters_counted(s.web, "handler_failed") == failed + 1
    assert c.dead_letters_counted(s.web, "unreadable") == unreadable + 1
    # Fixed: the replay sends both back; the event is applied once, the unreadable comes back.
    fails_for_qh.on = False
    assert s.consumer.replay_dead_letters() == {"replayed": 2}
    c.wait_for(lambda: ledger_opened(s.consumer), "the replayed commitment's ledger")
    c.wait_for(lambda: s.consumer.list_dead_letters()["waiting"] == 1,
               "the unreadable letter back in equipment.dead-letter")
    # The counter moves once the handler has returned, just after its commit.
    c.wait_for(lambda: seen == {"calls": 4, "applied": 1},
               "4 calls of the handler, one of them applied")
    assert c.versions_stored(s.store, "equipment", CommitmentLedger.create_id("QH")) == 1
    # The catch-up meets the same event in the log: a no-op, nothing stored twice.
    s.consumer.catch_up_registry()
    assert c.versions_stored(s.store, "equipment", CommitmentLedger.create_id("QH")) == 1


def test_a_database_outage_is_waited_out_not_dead_lettered(start, monkeypatch):
    outage = {"left": 6}  # twice max_attempts: it would have been dead-lettered

    def down(event_type, data):
        if data.get("commitment_id") != "QH":
            return None
        outage["left"] -= 1
        return outage["left"] >= 0

    seen = c.failing(monkeypatch, EquipmentApplication, "apply_registry_fact", down,
                     lambda: psycopg2.OperationalError("could not connect to server"))
    s = start(**c.POISON_CONFIG)
    failed = c.dead_letters_counted(s.web, "handler_failed")
    launch(s.registry)
    c.wait_for(lambda: ledger_opened(s.consumer), "the ledger once the outage ended")
    # The counter moves once the handler has returned, just after its commit.
    c.wait_for(lambda: seen == {"calls": 7, "applied": 1},
               "7 calls of the handler, one of them applied")
    assert s.consumer.list_dead_letters()["waiting"] == 0
    assert c.dead_letters_counted(s.web, "handler_failed") == failed


def test_what_the_queues_missed_is_filled_from_the_log_within_one_interval(start):
    s = start(**c.CATCH_UP_CONFIG)
    s.consumer.set_allocation_rule(**RULE)
    launch(s.registry)
    enrol_school(s.registry, 0, pupils=45)
    c.wait_for(lambda: len(cabinets(s.consumer)) == 1, "AKT-000's cabinet, delivered live")
    with c.queues_missing(s.amqp, "registry", c.subscription_queues("equipment", HANDLERS)):
        enrol_school(s.registry, 1, pupils=45)  # never reaches equipment's queues
        last = s.registry.notifications(after=0, limit=1)["last_notification_id"]
    # One interval from now at most (plus the round's own time), the log has filled it.
    c.wait_for(lambda: len(cabinets(s.consumer)) == 2,
               f"AKT-001's cabinet from the registry's log within one catch-up interval "
               f"({c.CATCH_UP_INTERVAL:g} s)", timeout=c.CATCH_UP_INTERVAL + 3)
    assert sorted(x["organisation_id"] for x in cabinets(s.consumer)) == [
        "AKT-000", "AKT-001"]
    assert s.consumer.catch_up_registry()["after"] >= last
