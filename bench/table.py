"""The bench's table: each figure beside its raw ceiling, the ratio, the goal and whether it
was met; under it, each missed goal with where its time went and its next lever."""

from __future__ import annotations

from typing import Any

from bench import pipeline
from bench.levers import LEVERS
from bench.profiles import Profiles
from bench.settings import EVENTS, RELAY_EVENTS


def table(broker: dict[str, Any], p: dict[str, Any]) -> list[dict[str, Any]]:
    """One line per goal of issue 8: figure, raw ceiling beside it, ratio, goal, met."""
    http = p["http"]
    worst_idle = max(max(p["rss_idle_before_mib"].values()), max(p["rss_idle_after_mib"].values()))
    worst_busy = max(max(p["rebuild"]["rss_peak_mib"].values()),
                     max(p["bulk"]["rss_peak_mib"].values()))
    growth = max(p["rss_idle_after_half_2_mib"][n] - p["rss_idle_after_half_1_mib"][n]
                 for n in p["rss_idle_before_mib"])
    scores = p["score_import"]
    lines = [
        ("score_rows", "score import -> visible in the funders' read model, scores/s",
         scores["scores_per_s"], "bare INSERT of the same score rows into PostgreSQL, rows/s",
         scores["bare_insert_rows_per_s"], 0.5, ">="),
        ("score_events", "score import -> visible in the read model, events (grade sheets)/s",
         scores["events_per_s"],
         f"bare kombu consume + ack, {scores['event_bytes'] // 1024} KB messages/s",
         scores["consume_same_size_per_s"], 0.5, ">="),
        ("enrol", "one RPC command (enrol as academy, with its access check), calls/s",
         broker["enrol"], "bare nameko RPC ping, calls/s", broker["ping"], 0.6, ">="),
        ("enrol", "the same command without the access check, calls/s",
         broker["enrol_unchecked"], "bare nameko RPC ping, calls/s", broker["ping"], 0.6, ">="),
        ("access", "enrol with its access check, calls/s (alternating rounds)", broker["enrol"],
         "the same enrol without the check, calls/s", broker["enrol_unchecked"], 0.95, ">="),
        ("relay", f"relay publish of {RELAY_EVENTS:,} stored events, confirmed per 500, events/s",
         broker["relay"], "bare kombu publish, 1 KB, a confirm per 500 messages, msg/s",
         broker["kombu_publish_batches"], 0.5, ">="),
        ("bulk", f"bulk load of {p['bulk']['events']:,} events -> visible in the read model, "
         "events/s", p["bulk"]["visible_per_s"],
         "bare kombu consume, 1 KB persistent messages, one ack per 500, msg/s",
         broker["kombu_consume_batches"], 0.5, ">="),
        ("lag", f"projection lag p99 at a steady {p['lag']['rate_asked']:,} events/s "
         f"({p['lag']['rate_achieved']:,.0f} achieved), s", p["lag"]["p99"],
         "(goal: under 1 s)", 1.0, 1.0, "<"),
        ("lag_fast", f"projection lag p99 at a steady {p['lag_fast']['rate_asked']:,} events/s "
         f"({p['lag_fast']['rate_achieved']:,.0f} achieved), s", p["lag_fast"]["p99"],
         "(goal: under 0.25 s)", 0.25, 1.0, "<"),
        ("rebuild", "rebuild of the read model from the event stores, events/s",
         p["rebuild"]["events_per_s"], "bare sequential read of the same events, rows/s",
         p["sequential_read"]["rows_per_s"], 0.25, ">="),
        *(("dashboard" if name == "dashboard" else "export",
           f"{name} p99 at 50 connections, {p['events_stored']:,} events, ms",
           http[name]["p99_ms"], "static endpoint p99 on the same server, ms",
           http["static"]["p99_ms"], 1.5, "<=") for name in pipeline.ENDPOINTS),
        ("past_moment", "report as of a new past moment (HTTP, uncached), p99, ms",
         p["past"]["moments"]["p99_ms"], "(goal: under 2 s)", 2000, 1.0, "<="),
        ("past_sql", "the report's SQL as of a past moment, uncached, p50 ms",
         p["past"]["report_sql_as_of"]["p50_ms"], "the same SQL on the live model, p50 ms",
         p["past"]["report_sql_live"]["p50_ms"], 3.0, "<="),
        ("event_pages", "a page of 100 of a figure's events, live and as of, p99, ms",
         p["past"]["pages"]["all"]["p99_ms"], "(goal: under 200 ms)", 200, 1.0, "<="),
        ("memory", "reporting's RSS while every figure's events are paged, peak MiB",
         p["past"]["pages"]["rss_peak_mib"], "(goal: under 150 MiB)", 150, 1.0, "<"),
        ("memory", "largest RSS of any service, idle, MiB", worst_idle,
         "(goal: under 150 MiB)", 150, 1.0, "<"),
        ("memory", "largest RSS of any service during bulk load and rebuild, MiB", worst_busy,
         "(goal: under 150 MiB)", 150, 1.0, "<"),
        ("memory", f"largest idle RSS growth from {EVENTS // 2:,} to {EVENTS:,} bulk events, MiB",
         growth, "(flat in event count: under 10 MiB)", 10, 1.0, "<"),
    ]
    rows = []
    for key, figure, value, ceiling, ceiling_value, goal, sense in lines:
        ratio = value / ceiling_value if ceiling_value else float("nan")
        met = {">=": ratio >= goal, "<=": ratio <= goal, "<": ratio < goal}[sense]
        rows.append({"key": key, "figure": figure, "value": value, "ceiling": ceiling,
                     "ceiling_value": ceiling_value, "ratio": ratio,
                     "goal": f"{sense} {goal:g}", "met": bool(met)})
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"\n{'figure':<70}{'value':>12}  {'raw ceiling':<62}{'ceiling':>12}"
          f"{'ratio':>8}  {'goal':<8}met")
    for row in rows:
        print(f"{row['figure']:<70}{row['value']:>12,.2f}  {row['ceiling']:<62}"
              f"{row['ceiling_value']:>12,.2f}{row['ratio']:>8.3f}  {row['goal']:<8}"
              f"{'yes' if row['met'] else 'NO'}")


def print_missed(rows: list[dict[str, Any]], profiles: Profiles) -> None:
    """For each goal missed: where its phase's time went, and the next lever known for it."""
    missed = list(dict.fromkeys(row["key"] for row in rows if not row["met"]))  # in order
    if not missed:
        print("\nevery goal met")
        return
    print("\nmissed goals: where the time went (self time, busiest processes), next lever")
    shown: dict[str, str] = {}  # phase -> the goal under which its profile was printed
    for key in missed:
        lever = LEVERS[key]
        print(f"\n- {lever.title}")
        if lever.phase in shown:
            where = [f"the same phase as {shown[lever.phase]!r} above"]
        elif lever.phase:
            where, shown[lever.phase] = profiles.where_time_went(lever.phase), lever.title
        else:
            where = ["not profiled by the bench: " + lever.unprofiled]
        for line in where:
            print(f"    where: {line}")
        print(f"    lever: {lever.next}")
