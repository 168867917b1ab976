"""The public record stored with each event at save time (shared/outbox.py) against the real
PostgreSQL and RabbitMQ: served as the very envelope the decoded event gives, for every
event type of every service; rows stored without it served as before; an event its
contract refuses never stored."""

from __future__ import annotations

import inspect
import json
from datetime import date

import eventlet
import kombu
import psycopg2
import pytest

from services.assessment.app import AssessmentApplication
from services.equipment.app import EquipmentApplication
from services.registry.app import RegistryApplication
from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS
from services.training.domain import Enrolment
from shared.config import event_store_env
from shared.contracts import training as training_contracts
from shared.contracts.mapping import OUTDATED, ContractMap, Publish
from shared.contracts.records import ContractRefused
from shared.contracts.versions import ContractVersions
from shared.outbox import OutboxRecorder
from shared.service import EventSourcedService
from tests.conftest import dsn_of, throwaway_databases
from tests.reporting import stream
from tests.shared.relay_helpers import declare_tap, make_relay, save_enrolments

pytestmark = pytest.mark.integration

# eventsourcing's own recorder: what a replica of the code before the outbox writes with.
WITHOUT_OUTBOX = {"APPLICATION_RECORDER_TOPIC": "eventsourcing.postgres:"
                                                "PostgresApplicationRecorder"}


def app_on(store, app_class=TrainingApplication, group_commit=True, **env):
    return app_class(env={**event_store_env({"EVENT_STORE": {**store,
                                                             "group_commit": group_commit}}),
                          **env})


def same_message(first, second) -> bool:
    """The same dict, down to the order of its keys: what json.dumps publishes."""
    return first == second and json.dumps(first) == json.dumps(second)


def public_columns(store) -> list:
    conn = psycopg2.connect(dsn_of(store))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT public FROM training_events ORDER BY notification_id")
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


# ------------------------------------------------------------------ every event type
@pytest.fixture(scope="module")
def services():
    """The four services' Applications on PostgreSQL, holding the reporting tests' stream
    (every kind of event of every service), with their contract maps."""
    with throwaway_databases() as make:
        apps = {cls: app_on(make(), cls) for cls in (RegistryApplication, TrainingApplication,
                                                     EquipmentApplication,
                                                     AssessmentApplication)}
        registry = apps[RegistryApplication]
        stream.registry_events(registry)
        development_facts(registry)
        training = apps[TrainingApplication]
        stream.training_events(training)
        trainer = training.certify_trainer(person_id="T0", programme_id=stream.P,
                                           school_id="S0", subjects=["digital"],
                                           certified_on=date(2023, 10, 1))
        training.assign_trainer(training.course_by_code(stream.P, "C1").id, trainer.id)
        equipment = apps[EquipmentApplication]
        stream.equipment_events(equipment, stream.envelopes_of(registry, registry.contracts))
        cabinet = next(c for c in stream._cabinets(equipment) if c.status == "commissioned")
        equipment.report_fault(cabinet.id, "F1", date(2023, 11, 1), "projector")
        equipment.resolve_fault(cabinet.id, "F1", date(2023, 11, 8), "replaced the lamp")
        stream.assessment_events(apps[AssessmentApplication])
        yield list(apps.values())
        for app in apps.values():
            app.close()


def development_facts(registry: RegistryApplication) -> None:
    """A school's strategy, a project serving it and a partner (not in the reporting
    tests' stream, whose figures they would not change)."""
    school = {"programme_id": stream.P, "organisation_id": "S0"}
    registry.adopt_strategy(strategy_id="S0-STR", title="Даму стратегиясы",
                            adopted_on=date(2023, 10, 1), valid_until=None, **school)
    registry.launch_project(project_id="S0-P1", title="Оқу сауаттылығы",
                            launched_on=date(2023, 11, 1), strategy_id="S0-STR", **school)
    registry.sign_partnership(partnership_id="S0-M1", partner_name="ТОО «Жайык»",
                              partner_kind="business", signed_on=date(2023, 12, 1),
                              purpose="Робототехника", memorandum_ref="M-1", **school)


@pytest.mark.parametrize("publish", [{}, {"OrganisationJoinedProgramme": 2}],
                         ids=["default versions", "the newest OrganisationJoinedProgramme"])
def test_every_event_type_is_served_from_its_stored_record_as_the_decoded_event_gives(
        services, publish):
    for app in services:
        contracts = app.contracts.publishing(ContractVersions(publish=publish))
        seen = set()
        for notification in app.select_after(0, 10_000):
            assert notification.public is not None
            stored = contracts.envelope_of_record(notification, notification.public)
            decoded = contracts.envelope_of_event(app, notification)
            assert stored is not OUTDATED
            if decoded is None:
                assert stored is None
                continue
            assert same_message(stored.to_message(), decoded.to_message()), decoded.type
            assert stored.time == decoded.time
            seen.add(decoded.type)
        published = {entry.contract.contract_type for entry in app.contracts.entries.values()
                     if entry is not None}
        assert seen == published, f"{app.name}: no event of {sorted(published - seen)}"


def test_an_older_version_published_is_downcast_from_the_stored_record(services):
    registry = services[0]
    joined = [e for n in registry.select_after(0, 10_000)
              if (e := registry.contracts.envelope(registry, n)) is not None
              and e.type == "OrganisationJoinedProgramme"]
    assert joined and {e.schemaversion for e in joined} == {1}
    assert all("school_year" not in e.data for e in joined)


# ------------------------------------------------------------------ both recorders
@pytest.mark.parametrize("group_commit", [True, False], ids=["group commit", "one by one"])
def test_each_recorder_stores_the_record_with_the_event(pg_database, group_commit):
    app = app_on(pg_database, group_commit=group_commit)
    try:
        assert isinstance(app.recorder, OutboxRecorder)
        save_enrolments(app, 30, per_save=10)
        pool = eventlet.GreenPool(20)  # saves at once: written in common groups
        list(pool.imap(lambda n: save_enrolments(app, 1, start=100 + n), range(20)))
        notifications = app.select_after(0, 100)
        assert len(notifications) == 51
        for notification in notifications:
            record = json.loads(notification.public)
            assert record["type"] in ("CourseScheduled", "ParticipantEnrolled")
            assert same_message(CONTRACTS.envelope(app, notification).to_message(),
                                CONTRACTS.envelope_of_event(app, notification).to_message())
    finally:
        app.close()


def test_an_internal_event_is_stored_as_internal_and_never_served(pg_database):
    app = app_on(pg_database)
    try:
        app.record_school_joined("p", "S0")  # internal: what training learnt of the registry
        facts = len(app.select_after(0, 10))
        app.attest_category("T9", "педагог", date(2023, 12, 1), "S0", None)
        opened, attested = app.select_after(facts, 10)
        assert json.loads(opened.public) == {"internal": True}
        assert CONTRACTS.envelope(app, opened) is None
        assert CONTRACTS.envelope(app, attested).type == "TeacherCategoryAttested"
    finally:
        app.close()


# ------------------------------------------------------------------ rows without it
def test_a_table_made_before_the_outbox_gains_the_column_and_its_rows_are_served_as_before(
        pg_database):
    before = app_on(pg_database, **WITHOUT_OUTBOX)
    save_enrolments(before, 3)
    now = app_on(pg_database)  # adds the column at start
    save_enrolments(before, 2, start=3)  # a replica of the old code, after the change
    save_enrolments(now, 2, start=5)
    try:
        assert public_columns(pg_database)[:6] == [None] * 6
        assert all(public_columns(pg_database)[6:])
        for notification in now.select_after(0, 100):
            assert same_message(CONTRACTS.envelope(now, notification).to_message(),
                                CONTRACTS.envelope_of_event(now, notification).to_message())
        app_on(pg_database).close()  # a second start finds the column there
    finally:
        before.close()
        now.close()


def test_sqlite_keeps_mapping_the_decoded_event_at_read_time(sqlite_store):
    app = TrainingApplication(env=event_store_env({"EVENT_STORE": sqlite_store}))
    try:
        save_enrolments(app, 2)
        assert app.mapper.contracts is None  # type: ignore[attr-defined]
        notifications = app.select_after(0, 10)
        assert not any(getattr(n, "public", None) for n in notifications)
        assert [CONTRACTS.envelope(app, n).type for n in notifications] == [
            "CourseScheduled", "ParticipantEnrolled", "ParticipantEnrolled"]
    finally:
        app.close()


# ------------------------------------------------------------------ refused at save
class RefusingTraining(TrainingApplication):
    """Training, its enrolments translated into data their contract refuses."""

    name = "training"
    contracts = ContractMap("training", {
        **CONTRACTS.entries,
        Enrolment.Enrolled: Publish(training_contracts.ParticipantEnrolledV1, lambda e: {
            "enrolment_id": e.originator_id, "course_id": e.course_id,
            "programme_id": e.programme_id, "participant_id": e.participant_id,
            "school_id": e.school_id, "role": "astronaut",
            "management_team_id": None, "enrolled_on": e.enrolled_on}),
    })


@pytest.mark.parametrize("group_commit", [True, False], ids=["group commit", "one by one"])
def test_an_event_its_contract_refuses_fails_the_command_and_stores_nothing(
        pg_database, group_commit):
    app = app_on(pg_database, RefusingTraining, group_commit=group_commit)
    try:
        app.record_programme_launched("p")  # internal: what training learnt of the registry
        app.record_school_joined("p", "S-1")
        course = app.schedule_course(
            programme_id="p", code="C", title="t", subject="s", format="online",
            audience="teacher", planned_hours=1, completion_hours=1, provider="x")
        with pytest.raises(ContractRefused) as refused:
            app.enrol(course.id, "T-1", "S-1", "teacher", None, date(2024, 9, 1))
        assert str(refused.value).startswith(
            "Enrolment.Enrolled does not meet its public contract ParticipantEnrolled v1: "
            "{'role': ")
        assert str(refused.value).endswith("nothing was stored")
        assert [json.loads(n.public).get("type") for n in app.select_after(0, 10)] == [
            None, None, None, "CourseScheduled"]  # the programme, the join, the school
        assert app.find(Enrolment.create_id(course.id, "T-1"), Enrolment) is None
    finally:
        app.close()


# ------------------------------------------------------------------ served as stored
def mark_stored_records(store, version: int = 1) -> None:
    """Change the stored records only, so that what is served shows where it came from."""
    conn = psycopg2.connect(dsn_of(store))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("UPDATE training_events SET public = replace(replace(public, "
                        "'\"school_id\":\"S-1\"', '\"school_id\":\"STORED\"'), "
                        "'\"version\":1', %s)", (f'"version":{version}',))
    finally:
        conn.close()


def test_a_record_that_other_code_built_is_not_served_the_event_is_decoded_instead(
        pg_database):
    app = app_on(pg_database)
    try:
        save_enrolments(app, 2)
        mark_stored_records(pg_database, version=7)  # as a newer release would build it
        envelopes = [CONTRACTS.envelope(app, n) for n in app.select_after(0, 10)]
    finally:
        app.close()
    assert [(e.schemaversion, e.data["school_id"]) for e in envelopes[1:]] == [(1, "S-1")] * 2


def test_relay_publishes_the_envelope_stored_at_save_time(pg_database, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    app = app_on(pg_database)
    tap = declare_tap(amqp_uri)
    try:
        save_enrolments(app, 5)
        mark_stored_records(pg_database)
        relay = make_relay(app, pg_database, amqp_uri)
        assert relay.run_once() is False
        with kombu.Connection(amqp_uri) as conn:
            bound = tap(conn.channel())
            bodies = [json.loads(m.body) for m in iter(lambda: bound.get(no_ack=True), None)]
    finally:
        app.close()
    assert [b["type"] for b in bodies] == ["CourseScheduled"] + ["ParticipantEnrolled"] * 5
    assert {b["data"]["school_id"] for b in bodies[1:]} == {"STORED"}


class _Store:
    def __init__(self, app) -> None:
        self.app = app
        self.contracts = CONTRACTS


def test_notifications_serve_the_envelope_stored_at_save_time(pg_database):
    app = app_on(pg_database)
    try:
        save_enrolments(app, 5)
        mark_stored_records(pg_database)
        service = type("Training", (), {"store": _Store(app)})()
        # The query's own code: called directly, no RPC caller to check.
        page = inspect.unwrap(EventSourcedService.notifications)(service, after=0, limit=100)
    finally:
        app.close()
    assert [item["notificationid"] for item in page["items"]] == [1, 2, 3, 4, 5, 6]
    assert {item["data"]["school_id"] for item in page["items"][1:]} == {"STORED"}
