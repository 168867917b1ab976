"""Assessment as a consumer of the registry's events, over the real RabbitMQ and PostgreSQL:
poison ends in assessment.dead-letter after its tries, a database outage is waited out, a
replay applies the event once, and a join its queue missed is learnt from the registry's log
within one catch-up interval."""

import psycopg2
import pytest

from scripts.seed_assessment import BASELINE
from services.assessment.app import AssessmentApplication
from services.assessment.domain import ProgrammeSchool
from services.assessment.service import AssessmentService
from tests.assessment.test_service import launch
from tests.shared import consumers as c

pytestmark = pytest.mark.integration

PROGRAMME = BASELINE["programme_id"]
JOINED = ProgrammeSchool.create_id(PROGRAMME, "AKT-001")
QUEUES = c.subscription_queues("assessment", {"on_joined_programme":
                                              "OrganisationJoinedProgramme"})


@pytest.fixture
def start(container_factory, rabbit_config, pg_databases):
    return lambda **extra: c.start_with_registry(
        container_factory, rabbit_config, pg_databases, AssessmentService,
        PSEUDONYM_KEY="integration-test-pseudonym-key", **extra)


def fails_for_akt_001(programme_id, school_id):
    return None if school_id != "AKT-001" else fails_for_akt_001.on


def test_poison_is_set_aside_after_its_tries_and_a_replay_applies_it_once(start, monkeypatch):
    fails_for_akt_001.on = True
    seen = c.failing(monkeypatch, AssessmentApplication, "record_school_joined",
                     fails_for_akt_001, lambda: KeyError("a bug in joining"))
    s = start(**c.POISON_CONFIG)
    failed = c.dead_letters_counted(s.web, "handler_failed")
    launch(s.registry)  # AKT-001 joins; its handler fails every time
    found = c.wait_for(lambda: (lambda d: d["waiting"] == 1 and d)(
        s.consumer.list_dead_letters()), "the join in assessment.dead-letter")
    [letter] = found["letters"]
    assert (letter["type"], letter["failure"], letter["queue"]) == (
        "OrganisationJoinedProgramme", "handler_failed", next(iter(QUEUES)))
    assert "handler failed 3 times: KeyError: 'a bug in joining'" in letter["reason"]
    assert seen["calls"] == 3
    assert c.versions_stored(s.store, "assessment", JOINED) == 0
    assert c.dead_letters_counted(s.web, "handler_failed") == failed + 1
    fails_for_akt_001.on = False
    assert s.consumer.replay_dead_letters() == {"replayed": 1}
    c.wait_for(lambda: c.versions_stored(s.store, "assessment", JOINED),
               "the replayed join stored")
    # The counter moves once the handler has returned, just after its commit.
    c.wait_for(lambda: seen == {"calls": 4, "applied": 1},
               "4 calls of the handler, one of them applied")
    s.consumer.catch_up_registry()  # the same join in the log: a no-op
    assert c.versions_stored(s.store, "assessment", JOINED) == 1
    assert s.consumer.list_dead_letters()["waiting"] == 0


def test_a_database_outage_is_waited_out_not_dead_lettered(start, monkeypatch):
    outage = {"left": 6}  # twice max_attempts: it would have been dead-lettered

    def down(programme_id, school_id):
        outage["left"] -= 1
        return outage["left"] >= 0

    seen = c.failing(monkeypatch, AssessmentApplication, "record_school_joined", down,
                     lambda: psycopg2.OperationalError("could not connect to server"))
    s = start(**c.POISON_CONFIG)
    launch(s.registry)
    c.wait_for(lambda: c.versions_stored(s.store, "assessment", JOINED),
               "the join stored once the outage ended")
    # The counter moves once the handler has returned, just after its commit.
    c.wait_for(lambda: seen == {"calls": 7, "applied": 1},
               "7 calls of the handler, one of them applied")
    assert s.consumer.list_dead_letters()["waiting"] == 0


def test_a_join_the_queue_missed_is_learnt_from_the_log_within_one_interval(start):
    s = start(**c.CATCH_UP_CONFIG)
    with c.queues_missing(s.amqp, "registry", QUEUES):
        launch(s.registry)  # the join never reaches assessment's queue
    c.wait_for(lambda: c.versions_stored(s.store, "assessment", JOINED),
               f"AKT-001's join from the registry's log within one catch-up interval "
               f"({c.CATCH_UP_INTERVAL:g} s)", timeout=c.CATCH_UP_INTERVAL + 3)
    assert s.consumer.open_round(**BASELINE)["round_id"] == BASELINE["round_id"]
