"""Under its table the bench names, for every goal the run missed, where the phase's time went
and the next lever; a goal without a lever would be a claim left unexplained."""

from bench import table
from bench.levers import LEVERS
from bench.pipeline import ENDPOINTS
from bench.profiles import Profiles

SERVICES = ("registry", "training", "equipment", "assessment", "reporting")


def figures_that_miss_every_goal() -> tuple[dict, dict]:
    """Every rate a hundredth of its ceiling, every time and size above its goal."""
    rss = {name: 500 for name in SERVICES}
    latency = {"p99_ms": 9_000.0, "p50_ms": 9_000.0}
    broker = {"enrol": 1.0, "enrol_unchecked": 2.0, "ping": 100.0, "relay": 1.0,
              "kombu_publish_batches": 100.0, "kombu_consume_batches": 100.0}
    platform = {
        "http": {**dict.fromkeys(ENDPOINTS, latency), "static": {"p99_ms": 1.0}},
        "rss_idle_before_mib": rss, "rss_idle_after_mib": rss,
        "rss_idle_after_half_1_mib": {name: 0 for name in SERVICES},
        "rss_idle_after_half_2_mib": rss,
        "rebuild": {"rss_peak_mib": rss, "events_per_s": 1.0},
        "bulk": {"rss_peak_mib": rss, "events": 10, "visible_per_s": 1.0},
        "score_import": {"scores_per_s": 1.0, "bare_insert_rows_per_s": 100.0,
                         "events_per_s": 1.0, "event_bytes": 20_000,
                         "consume_same_size_per_s": 100.0},
        "lag": {"rate_asked": 1000, "rate_achieved": 900.0, "p99": 5.0},
        "lag_fast": {"rate_asked": 5000, "rate_achieved": 2000.0, "p99": 5.0},
        "sequential_read": {"rows_per_s": 100.0},
        "events_stored": 10,
        "past": {"moments": latency, "report_sql_as_of": {"p50_ms": 900.0},
                 "report_sql_live": {"p50_ms": 1.0}, "pages": {
                     "all": latency, "rss_peak_mib": 500}},
    }
    return broker, platform


def test_every_goal_of_the_table_has_a_lever_and_a_missed_one_is_explained(tmp_path, capsys):
    rows = table.table(*figures_that_miss_every_goal())
    assert [row["figure"] for row in rows if row["met"]] == []
    assert {row["key"] for row in rows} == set(LEVERS)

    table.print_missed(rows, Profiles(False, tmp_path))
    printed = capsys.readouterr().out
    for lever in LEVERS.values():
        assert f"- {lever.title}\n" in printed
        assert lever.next in printed
    assert "run with BENCH_PROFILE=1" in printed
    # two goals of one phase (the exports and the dashboard): its profile once
    assert printed.count("run with BENCH_PROFILE=1") == len(
        {lever.phase for lever in LEVERS.values() if lever.phase})


def test_a_profiled_phase_names_its_busiest_processes_and_their_functions(tmp_path):
    (tmp_path / "rebuild-reporting.txt").write_text(
        "<module> (a.py:1);apply (ingest/facts.py:10);_rows_into (ingest/facts.py:20) 300\n"
        "<module> (a.py:1);apply (ingest/facts.py:10) 100\n")
    (tmp_path / "rebuild-training.txt").write_text(
        "<module> (a.py:1);notifications (shared/reading.py:5) 200\n")
    (tmp_path / "rebuild-registry.txt").write_text("<module> (a.py:1) 1\n")
    (tmp_path / "relay-bench.txt").write_text("<module> (a.py:1) 999\n")

    lines = Profiles(True, tmp_path).where_time_went("rebuild")

    assert lines == [
        "reporting (4.0 s busy): 75% _rows_into (ingest/facts), 25% apply (ingest/facts)",
        "training (2.0 s busy): 100% notifications (shared/reading)"]


def test_a_phase_left_unprofiled_says_so(tmp_path):
    assert Profiles(True, tmp_path).where_time_went("http") == [
        "no profile written for the phase 'http'"]
