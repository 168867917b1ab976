"""The national data set's sizes: what bench-national claims to have loaded is what it saved."""

import json

import psycopg2
import pytest

from bench import pipeline
from bench.national import data, people
from bench.national import table as national_table
from bench.national.fill import fill
from services.registry.kato import place
from tests.faults.platform import PSEUDONYM_KEY


def test_sizes_at_scale_one_are_the_issues():
    sizes = data.Sizes.at(1.0)
    assert (sizes.schools, sizes.rural, sizes.teachers, sizes.pupils) == (
        7687, 5260, 350_000, 3_500_000)
    assert sizes.small_class == 2562  # about a third


def test_schools_hold_every_pupil_and_only_small_class_schools_are_small():
    sizes = data.Sizes.at(0.01)
    schools = data.schools(sizes)
    assert len(schools) == sizes.schools
    assert sum(s.pupils for s in schools) == sizes.pupils
    assert sum(s.locality == "rural" for s in schools) == sizes.rural
    small = [s for s in schools if s.small_class]
    assert len(small) == sizes.small_class
    assert all(s.locality == "rural" for s in small)
    # the allocation rule gives a cabinet at or below the threshold: exactly these schools
    assert all((s.pupils <= data.SMALL_CLASS_MAX_PUPILS) == s.small_class for s in schools)
    assert {place(s.kato).district_code for s in schools} <= set(data.districts())


def test_a_schools_pupils_are_spread_over_the_assessed_grades():
    assert people.grade_sizes(703) == [101, 101, 101, 100, 100, 100, 100]
    assert sum(people.grade_sizes(45)) == 45


def _count(store, sql):
    conn = psycopg2.connect(host=store["host"], port=store["port"], user=store["user"],
                            password=store["password"], dbname=store["dbname"])
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.mark.integration
def test_fill_saves_every_school_teacher_and_score_as_events(pg_databases):
    stores = {name: pg_databases() for name in
              ("registry", "equipment", "training", "assessment")}
    sizes = data.Sizes.at(0.001)
    out = fill(stores, sizes, PSEUDONYM_KEY, say=lambda _text: None)

    score_rows = sizes.pupils * len(people.SUBJECTS) * 2  # baseline and endline
    assert out["assessment"]["score_rows"] == score_rows
    sheets = _count(stores["assessment"], "SELECT public FROM assessment_events"
                                          " WHERE topic LIKE '%ScoresRecorded'")
    assert sum(len(json.loads(p)["data"]["scores"]) for (p,) in sheets) == score_rows
    assert len(sheets) == sizes.schools * len(people.GRADES) * 2
    [(enrolled,)] = _count(stores["training"], "SELECT count(*) FROM training_events"
                                               " WHERE topic LIKE '%Enrolment.Enrolled'")
    assert enrolled == sizes.teachers
    [(attested,)] = _count(stores["training"], "SELECT count(*) FROM training_events"
                                               " WHERE topic LIKE '%CategoryAttested'")
    assert attested == sizes.categorised
    [(joined,)] = _count(stores["registry"], "SELECT count(*) FROM registry_events"
                                             " WHERE topic LIKE '%Participation.Joined'")
    assert joined == sizes.schools
    [(cabinets,)] = _count(stores["equipment"], "SELECT count(*) FROM equipment_events"
                                                " WHERE topic LIKE '%Cabinet.Commissioned'")
    assert cabinets == sizes.small_class == out["cabinets"]
    for name in stores:
        [(stored,)] = _count(stores[name], f"SELECT count(*) FROM {name}_events")
        assert stored == out[name]["events"]


def _figures(**changes):
    """The smallest national run's figures that make a whole table."""
    http = {name: {"p99_ms": 30.0} for name in ("static", *pipeline.ENDPOINTS)}
    rss = {"registry": 80, "reporting": 90}
    figures = {
        "events_stored": 1000, "sequential_read": {"rows_per_s": 1000.0},
        "score_rows_read": {"rows_per_s": 1000.0},
        "rebuild": {"events_per_s": 500.0, "score_rows": 10, "score_rows_per_s": 500.0,
                    "seconds": 60.0},
        "http": http, "http_busy": http, "busy_writer": {"rate_achieved": 1000.0},
        "past": {"pages": {"all": {"p99_ms": 50.0}}, "moments": {"p99_ms": 900.0}},
        "outcomes": {"lines": 3, "max_ms": 100.0},
        "reconcile": {"events_read": 1000, "seconds": 60.0, "differences": 0},
        "rss": {"idle": {"start": rss, "after_rebuild": rss, "end": rss},
                "peaks": {"rebuild": rss}},
    }
    figures.update(changes)
    return figures


def test_every_goal_of_a_good_run_is_met():
    assert all(row["met"] for row in national_table.table(_figures()))


def test_a_phase_that_failed_is_printed_missed_not_dropped():
    good = national_table.table(_figures())
    failed = national_table.table(_figures(http_busy={}, busy_writer={}))
    assert len(failed) == len(good)
    busy = [row for row in failed if "flowing in" in row["figure"]]
    assert len(busy) == len(pipeline.ENDPOINTS)
    assert not any(row["met"] for row in busy)


def test_differences_in_reconciliation_miss_its_goal():
    rows = national_table.table(_figures(reconcile={"events_read": 1000, "seconds": 60.0,
                                                    "differences": 2}))
    [line] = [row for row in rows if row["figure"] == "reconciliation's differences"]
    assert not line["met"]


class _Process:
    def __init__(self, pid):
        self.pid = pid


class _Platform:
    """Enough of tests.faults.platform.Platform for the reconcile guard."""

    amqp_uri = "amqp://unused"

    def __init__(self):
        self.processes = {"reporting": _Process(100)}
        self.done = []

    def kill(self, name):
        self.done.append(("kill", name))

    def start(self, name):
        self.done.append(("start", name))
        self.processes[name] = _Process(200)


class _Sampler:
    def __init__(self):
        self.pids, self.peak = {"reporting": 100}, {"reporting": 0}

    def reset(self):
        pass

    def __call__(self):
        pass


def test_reconcile_past_the_memory_limit_restarts_reporting_and_fails(monkeypatch):
    import eventlet

    from bench.national import measure

    monkeypatch.setattr(measure, "_reconcile_call", lambda _uri: eventlet.sleep(60))
    monkeypatch.setattr(measure.ceilings, "rss_mib", lambda _pid: measure.RSS_LIMIT_MIB + 1)
    platform, sampler = _Platform(), _Sampler()
    with pytest.raises(RuntimeError, match="RSS reached"):
        measure.reconcile(platform, sampler)
    assert platform.done == [("kill", "reporting"), ("start", "reporting")]
    assert sampler.pids["reporting"] == 200  # later samples follow the new process
