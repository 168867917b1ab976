"""Whether the cabinets work: faults and internet from the equipment's events, the same in
any arrival order and on redelivery, the catalogue's counts equal to the independent fold of
the logs, and a fault open at a past moment reading open as of then."""

import dataclasses
from datetime import timedelta

import pytest

from services.reporting.figures import cabinets, reconcile
from services.reporting.figures.catalogue import CATALOGUE
from services.reporting.figures.reports import figures
from services.reporting.ingest import past, projections
from services.reporting.ingest.tables import q
from shared.contracts import REGISTRY as CONTRACTS
from tests.reporting.conftest import dump, fresh_schema
from tests.reporting.working_stream import SCHOOL, UNNAMED, P, applied, stream

pytestmark = pytest.mark.integration

NEW_FIGURES = ["cabinets_working", "faults_reported", "faults_open", "faults_resolved",
               "cabinets_below_internet_need", "strategies_adopted", "partnerships_signed"]
EXPECTED = {
    "internet_need_mbps": "10", "allocated": 4, "delivered": 4, "commissioned": 3,
    "working": 2, "faults_reported": 4, "faults_open": 2, "faults_resolved": 2,
    "days_to_resolve_median": "3.5", "days_to_resolve_max": 5,
    "internet_mbps_median": "12.0", "cabinets_below_need": 1, "schools_below_need": 1,
    "schools": [  # open faults first, then the slowest internet (none last), then the id
        {"organisation_id": "S1", "name_ru": "Школа S1", **SCHOOL, "cabinets": 1,
         "commissioned": 1, "working": 0, "faults_open": 1, "faults_resolved": 0,
         "internet_mbps": "25"},
        {"organisation_id": "S2", "name_ru": "Школа S2", **UNNAMED, "cabinets": 1,
         "commissioned": 0, "working": 0, "faults_open": 1, "faults_resolved": 0,
         "internet_mbps": None},
        {"organisation_id": "S0", "name_ru": "Школа S0", **SCHOOL, "cabinets": 2,
         "commissioned": 2, "working": 2, "faults_open": 0, "faults_resolved": 2,
         "internet_mbps": "8.4"}]}


@pytest.fixture(scope="module")
def working(tmp_path_factory):
    return stream(tmp_path_factory.mktemp("working"))


@pytest.mark.parametrize("seed", [None, 1, 2, 3, 4])
def test_the_cabinets_section_says_which_work_in_any_arrival_order(database, working, seed):
    schema = applied(database, working, seed)
    with database, database.cursor() as cur:
        assert cabinets.section(cur, P, schema) == EXPECTED


def test_a_programme_without_cabinets_has_zeros_and_no_schools(database, working):
    schema = applied(database, working)
    with database, database.cursor() as cur:
        section = cabinets.section(cur, "no-such-programme", schema)
    assert section["schools"] == [] and section["days_to_resolve_median"] is None
    assert {k: v for k, v in section.items() if isinstance(v, int)} == dict.fromkeys(
        ["allocated", "delivered", "commissioned", "working", "faults_reported", "faults_open",
         "faults_resolved", "cabinets_below_need", "schools_below_need"], 0)


def test_the_catalogues_counts_equal_the_independent_fold_of_the_logs(database, working):
    schema = applied(database, working, seed=5)
    fold = reconcile.folded(working)
    with database, database.cursor() as cur:
        counted = figures(cur, P, schema)
        assert reconcile.compare(fold, cur, [P], schema) == []
    from_logs = {name: CATALOGUE[name].count(fold, P) for name in NEW_FIGURES}
    assert from_logs == {name: counted[name] for name in NEW_FIGURES} == {
        "cabinets_working": 2, "faults_reported": 4, "faults_open": 2, "faults_resolved": 2,
        "cabinets_below_internet_need": 1, "strategies_adopted": 1, "partnerships_signed": 3}


def test_every_new_figure_is_the_sum_of_its_events_each_an_applied_event(database, working):
    schema = applied(database, working, seed=6)
    with database, database.cursor() as cur:
        for name in NEW_FIGURES:
            entry = CATALOGUE[name]
            cur.execute(q(entry.events, schema), {"p": P})
            behind = cur.fetchall()
            cur.execute(q(entry.actual, schema), {"p": P})
            assert sum(row[2] for row in behind) == cur.fetchone()[0], name
            cur.execute(f"SELECT count(*) FROM {schema}.processed WHERE (source,"
                        " notification_id) IN (SELECT unnest(%s::text[]),"
                        " unnest(%s::bigint[]))",
                        ([row[0] for row in behind], [row[1] for row in behind]))
            assert cur.fetchone()[0] == len({row[:2] for row in behind}), name
            assert all(row[4] is not None for row in behind), name  # each has its day


def test_a_resolution_before_its_report_waits_for_it(database, working):
    [resolution] = [e for e in working if e.type == "FaultResolved"
                    and e.data["fault_id"] == "F1"]
    [report] = [e for e in working if e.type == "FaultReported" and e.data["fault_id"] == "F1"]
    schema = fresh_schema(database)
    projections.handle(database, resolution, schema)
    with database, database.cursor() as cur:
        assert figures(cur, P, schema)["faults_resolved"] == 0
    projections.handle(database, report, schema)
    with database, database.cursor() as cur:
        counts = figures(cur, P, schema)
    assert (counts["faults_reported"], counts["faults_open"], counts["faults_resolved"]) == (
        1, 0, 1)


def test_redelivered_faults_change_nothing(database, working):
    schema = applied(database, working, seed=7)
    before = dump(database, schema)
    with database, database.cursor() as cur:
        cur.execute(f"SELECT * FROM {schema}.faults ORDER BY fault_id")
        faults = cur.fetchall()
    again = [e for e in working if e.type.startswith(("Fault", "Cabinet"))]
    assert projections.handle_batch(database, again + again, schema) == []
    with database, database.cursor() as cur:
        cur.execute(f"SELECT * FROM {schema}.faults ORDER BY fault_id")
        assert cur.fetchall() == faults and len(faults) == 4
    assert dump(database, schema) == before


def as_of(cur, live, moment):
    then = past.ensure(cur, live)
    cur.execute("SELECT set_config('baqylau.as_of', %s, true)", (moment.isoformat(),))
    return then


def test_a_fault_open_then_and_resolved_now_reads_open_as_of_then(database, working):
    live = applied(database, working, seed=8)
    [resolved] = [e for e in working if e.type == "FaultResolved"
                  and e.data["fault_id"] == "F1"]
    moment = resolved.time - timedelta(microseconds=1)  # every fault reported, F1 not mended
    with database, database.cursor() as cur:
        then = as_of(cur, live, moment)
        earlier = cabinets.section(cur, P, then)
        cur.execute(f"SELECT resolved_on, resolution, resolved_nid FROM {then}.faults"
                    " WHERE fault_id = 'F1'")
        assert cur.fetchone() == (None, None, None)
        now = cabinets.section(cur, P, live)
    assert (earlier["faults_open"], earlier["faults_resolved"], earlier["working"]) == (4, 0, 0)
    assert earlier["days_to_resolve_median"] is None
    assert (now["faults_open"], now["faults_resolved"], now["working"]) == (2, 2, 2)


def test_the_past_of_the_new_tables_is_the_model_of_the_events_recorded_by_then(
        database, working):
    live = applied(database, working, seed=9)
    times = sorted({e.time for e in working})
    moments = [times[0] - timedelta(seconds=1), *(a + (b - a) / 2 for a, b in zip(
        times, times[1:], strict=False))][::3] + [times[-1]]
    for moment in moments:
        recomputed = applied(database, [e for e in working if e.time <= moment])
        with database, database.cursor() as cur:
            then = as_of(cur, live, moment)
            for table in ("faults", "strategies", "projects", "partnerships", "cabinets"):
                cur.execute(f"SELECT * FROM {then}.{table}")
                shown = sorted(cur.fetchall(), key=repr)
                cur.execute(f"SELECT * FROM {recomputed}.{table}")
                assert shown == sorted(cur.fetchall(), key=repr), (moment, table)
            assert cabinets.section(cur, P, then) == cabinets.section(cur, P, recomputed)


def cancelled(events, school, kind):
    """The equipment's next notification: the allocation of `school`'s `kind` cancelled."""
    [allocated] = [e for e in events if e.type == "CabinetAllocated"
                   and (e.data["organisation_id"], e.data["kind"]) == (school, kind)]
    last = max(e.notificationid for e in events if e.source == allocated.source)
    version = max(e.subjectversion for e in events if e.subject == allocated.subject)
    schema = CONTRACTS.instance("CabinetAllocationCancelled", 1)
    data = {k: v for k, v in allocated.data.items() if k != "pupils"}
    return dataclasses.replace(
        allocated, type="CabinetAllocationCancelled", notificationid=last + 1,
        subjectversion=version + 1, time=max(e.time for e in events) + timedelta(seconds=1),
        data=schema.dump(schema.load({**data, "reason": "school closed"})))


@pytest.mark.parametrize("seed", [None, 11])
def test_faults_on_a_cabinet_whose_allocation_was_cancelled_are_not_counted(
        database, working, seed):
    """S0's science lab (F3, resolved in 5 days) is no longer the programme's: neither its
    cabinet nor its fault counts, in the figures, the section and the fold alike."""
    cancellation = cancelled(working, "S0", "science_lab")
    events = [*working, cancellation]
    schema = applied(database, events, seed)
    with database, database.cursor() as cur:
        counted = figures(cur, P, schema)
        section = cabinets.section(cur, P, schema)
        differences = reconcile.compare(reconcile.folded(events), cur, [P], schema)
        before = figures(cur, P, as_of(cur, schema, cancellation.time - timedelta(seconds=1)))
    assert before["faults_resolved"] == 2  # as of before the cancellation: still its fault
    assert (counted["faults_reported"], counted["faults_open"],
            counted["faults_resolved"]) == (3, 2, 1)
    assert (section["faults_reported"], section["faults_resolved"],
            section["days_to_resolve_max"]) == (3, 1, 2)
    [s0] = [line for line in section["schools"] if line["organisation_id"] == "S0"]
    assert (s0["cabinets"], s0["faults_resolved"]) == (1, 1)
    assert differences == []
