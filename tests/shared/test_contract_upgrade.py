"""The rolling upgrade of a public contract under load (docs/contracts.md), against the real
RabbitMQ and PostgreSQL: OrganisationJoinedProgramme v1 -> v2.

Two replicas of each consumer (equipment, reporting) compete on their queues: one runs as
code from before v2 would (CONTRACTS.readable: v1, the very code path such a deployment
runs), one reads v2. While schools register and join, the registry is rolled to
CONTRACTS.publish v2 (a new replica beside the old, then the old stopped); the old
consumers meet v2 and put it back for the new ones; then they are replaced. Every event
must be counted once, with 0 dead letters and 0 reconciliation differences."""

import time

import eventlet
import psycopg2
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from prometheus_client import REGISTRY as METRICS

from scripts.seed_equipment import RULE
from services.equipment.service import EquipmentService
from services.registry.service import RegistryService
from services.reporting.ingest import tables
from services.reporting.service import ReportingService
from tests.conftest import config_for, dsn_of
from tests.equipment.test_service import PROGRAMME, launch
from tests.shared.consumers import wait_for
from tests.shared.upgrade_load import SCHOOLS, count_public, join_schools

pytestmark = pytest.mark.integration

JOINED = "OrganisationJoinedProgramme"
OLD = {"CONTRACTS": {"readable": {JOINED: 1}, "too_new_pause": 0.2}}
FAST = {"CATCH_UP": {"interval": 2}, "DEAD_LETTERS": {"outage_pause": 0.2}}


def metric(name, **labels):
    return METRICS.get_sample_value(name, labels) or 0.0


def dead_letters_counted():
    return sum(metric("baqylau_dead_letters_total", kind=kind)
               for kind in ("unreadable", "handler_failed", "too_new"))


class Deployment:
    """The containers of the drill, started and stopped by name, all on one vhost."""

    def __init__(self, container_factory, rabbit_config, pg_databases):
        self.factory, self.rabbit = container_factory, rabbit_config
        self.registry_store, self.equipment_store = pg_databases(), pg_databases()
        model = pg_databases()
        self.read_model = {k: model[k] for k in ("host", "port", "dbname", "user",
                                                 "password")}
        self.model_dsn = dsn_of(model)
        self.running = {}

    def start(self, name, service, **extra):
        if service is ReportingService:
            config = config_for(self.rabbit, None, READ_MODEL={
                **self.read_model, "catch_up_interval": 2,
                "sources": ["registry", "equipment"]}, **extra)
        else:
            store = (self.registry_store if service is RegistryService
                     else self.equipment_store)
            config = config_for(self.rabbit, store, **FAST, **extra)
        container = self.factory(service, config)
        container.start()
        self.running[name] = (container, config)
        return config

    def stop(self, name):
        container, _ = self.running.pop(name)
        container.stop()  # graceful: what it holds unacknowledged goes back to the queue

    def rpc(self, name, service):
        return ServiceRpcProxy(service, self.running[name][1], timeout=30)


def read_model_counts(dsn):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        schema = tables.current(cur)
        cur.execute(f"SELECT count(*), count(DISTINCT (source, notification_id))"
                    f" FROM {schema}.processed")
        processed, distinct = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM {schema}.participants WHERE programme_id = %s",
                    (PROGRAMME,))
        participants = cur.fetchone()[0]
    conn.close()
    return processed, distinct, participants


def test_a_contract_rolls_out_to_v2_under_load_with_no_dead_letter(
        container_factory, rabbit_config, pg_databases):
    started = time.monotonic()
    d = Deployment(container_factory, rabbit_config, pg_databases)
    dead_before = dead_letters_counted()
    too_new_before = metric("baqylau_contract_too_new_total", type=JOINED, version="2")
    upcast_before = metric("baqylau_contract_upcasts_total", type=JOINED, version="1")
    # Consumers first, so that their queues exist before anything is published.
    d.start("equipment-old", EquipmentService, **OLD)
    d.start("equipment-new", EquipmentService)
    d.start("reporting-old", ReportingService, **OLD)
    d.start("reporting-new", ReportingService)
    d.start("registry-v1", RegistryService)
    with d.rpc("registry-v1", "registry") as registry, \
            d.rpc("equipment-new", "equipment") as equipment:
        launch(registry)
        equipment.set_allocation_rule(**RULE)
    progress = {"joined": 0}
    load = eventlet.spawn(join_schools, d.running["registry-v1"][1], progress)

    # Step 2 of the rollout, mid-load: a registry replica publishing v2 beside the v1 one,
    # then the v1 one stopped (a rolling update of the producer's configuration).
    wait_for(lambda: progress["joined"] >= SCHOOLS // 3, "a third of the schools joined",
             timeout=30)
    switched_at = progress["joined"]
    d.start("registry-v2", RegistryService, CONTRACTS={"publish": f"{JOINED}=2"})
    d.stop("registry-v1")
    wait_for(lambda: metric("baqylau_contract_too_new_total", type=JOINED, version="2")
             > too_new_before, "an old consumer to meet a v2 event and put it back",
             timeout=20)
    load.wait()

    # Then the old consumers are replaced by ones that read v2.
    d.start("equipment-upgraded", EquipmentService)
    d.start("reporting-upgraded", ReportingService)
    d.stop("equipment-old")
    d.stop("reporting-old")
    loaded = time.monotonic() - started

    with d.rpc("registry-v2", "registry") as registry, \
            d.rpc("equipment-new", "equipment") as equipment, \
            d.rpc("reporting-new", "reporting") as reporting:
        public = {"registry": count_public(registry), "equipment": 0}
        wait_for(lambda: equipment.summary(programme_id=PROGRAMME)["cabinets_allocated"]
                 == SCHOOLS, f"equipment to allocate a cabinet to each of {SCHOOLS} schools",
                 timeout=30)
        public["equipment"] = count_public(equipment)
        total = sum(public.values())
        wait_for(lambda: read_model_counts(d.model_dsn)[0] == total,
                 f"reporting to apply all {total} public events", timeout=30)
        processed, distinct, participants = read_model_counts(d.model_dsn)
        reconciled = reporting.reconcile()
        letters = [equipment.list_dead_letters(), reporting.list_dead_letters()]
        log_versions = {m["schemaversion"] for m in registry.notifications(
            after=0, limit=1000)["items"] if m["type"] == JOINED}
        caught_up = equipment.catch_up_registry()

    too_new = metric("baqylau_contract_too_new_total", type=JOINED, version="2") \
        - too_new_before
    upcast = metric("baqylau_contract_upcasts_total", type=JOINED, version="1") - upcast_before
    print(f"\ncontract upgrade drill: {total} public events ({public}), {SCHOOLS} schools, "
          f"switched to v2 after {switched_at}; {too_new:.0f} put back by old consumers, "
          f"{upcast:.0f} v1 events upcast; dead letters {dead_letters_counted() - dead_before:.0f}"
          f"; differences {len(reconciled['differences'])}; loaded and upgraded in "
          f"{loaded:.1f} s, {time.monotonic() - started:.1f} s in all")
    assert dead_letters_counted() == dead_before, "no event may be set aside"
    assert [letter["waiting"] for letter in letters] == [0, 0]
    assert reconciled["differences"] == [] and reconciled["events_read"] == total
    assert processed == distinct == total, "every public event applied once"
    assert participants == SCHOOLS
    assert too_new > 0 and upcast > 0, "both versions were in flight"
    # The log is read at the version now published, its v1-era events included.
    assert log_versions == {2}
    assert caught_up["after"] == caught_up["last_notification_id"]
