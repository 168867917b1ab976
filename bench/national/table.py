"""The national table: issue 35's goals, each figure beside a ceiling measured in the same
run (or its fixed goal), printed met or missed; under it, each miss with where its phase's
time went (BENCH_PROFILE=1) and its next lever."""

from __future__ import annotations

from typing import Any

from bench import pipeline
from bench.levers import LEVERS, Lever
from bench.profiles import Profiles

NATIONAL_LEVERS: dict[str, Lever] = {
    **LEVERS,
    "rebuild_minutes": Lever(
        "the national read model rebuilt in 15 minutes", "rebuild",
        "as for the rebuild's ratio: COPY of each page into staging tables, one statement "
        "per fact type; the sources read in parallel (issue 35, item 4)"),
    "outcomes": Lever(
        "the national programme's outcomes with intervals, uncached", "outcomes",
        "per school and cell the sums, sums of squares and cross-products kept as events "
        "apply, so the intervals read a bounded number of rows (issue 35, item 2)"),
    "reconcile": Lever(
        "the national year reconciled in 15 minutes with 0 differences", "reconcile",
        "a difference is a bug in the kept figures or the fold: read the first ones in "
        "national-latest.json; for the time, the logs read in parallel and the fold's "
        "per-event Python (figures/fold.py)"),
}


def _line(key: str, figure: str, value: float, ceiling: str, ceiling_value: float,
          goal: float, sense: str) -> dict[str, Any]:
    ratio = value / ceiling_value if ceiling_value else float("nan")
    met = {">=": ratio >= goal, "<=": ratio <= goal, "<": ratio < goal}[sense]
    return {"key": key, "figure": figure, "value": value, "ceiling": ceiling,
            "ceiling_value": ceiling_value, "ratio": ratio, "goal": f"{sense} {goal:g}",
            "met": bool(met)}


NAN = float("nan")
STATE = {"http": "quiet", "http_busy": "busy"}


def dig(p: dict[str, Any], *keys: str) -> Any:
    """p[k1][k2]...; NaN where a phase failed and left no figure (its goal is then missed)."""
    for key in keys:
        if not isinstance(p, dict) or key not in p:
            return NAN
        p = p[key]
    return p


def _most(groups: Any) -> float:
    """The largest value of a dict of dicts of numbers (NaN if none)."""
    values = [v for group in (groups.values() if isinstance(groups, dict) else [])
              for v in group.values()]
    return max(values) if values else NAN


def table(p: dict[str, Any]) -> list[dict[str, Any]]:
    events, rebuild = p["events_stored"], p["rebuild"]
    rows = [
        _line("rebuild", f"rebuild of {events:,} events from the event stores, events/s",
              rebuild["events_per_s"], "bare sequential read of the same events, rows/s",
              p["sequential_read"]["rows_per_s"], 0.25, ">="),
        _line("rebuild", f"rebuild: {rebuild['score_rows']:,} score rows, rows/s",
              rebuild["score_rows_per_s"], "bare read of the same sheets, decoded, rows/s",
              p["score_rows_read"]["rows_per_s"], 0.25, ">="),
        _line("rebuild_minutes", "rebuild of the read model, minutes",
              rebuild["seconds"] / 60, "(goal: within 15 minutes)", 15, 1.0, "<="),
    ]
    rate = dig(p, "busy_writer", "rate_achieved")
    for phase, label in (("http", "quiet model"),
                         ("http_busy", f"{rate:,.0f} events/s flowing in")):
        for name in pipeline.ENDPOINTS:
            unanswered = " (none answered in 60 s)" if dig(p, phase, name, "no_answer") is True \
                else ""
            rows.append(_line("dashboard" if name == "dashboard" else "export",
                              f"{name} p99 at 50 connections, {label}, ms{unanswered}",
                              dig(p, phase, name, "p99_ms"),
                              f"static endpoint p99, {STATE[phase]}, ms",
                              dig(p, phase, "static", "p99_ms"), 1.5, "<="))
    rss = p["rss"]
    idle = rss["idle"]
    growth = [dig(idle, "end", n) - dig(idle, "after_rebuild", n) for n in idle["start"]]
    rows += [
        _line("event_pages", "a page of 100 of a figure's events, live and as of, p99, ms",
              dig(p, "past", "pages", "all", "p99_ms"), "(goal: under 200 ms)", 200, 1.0,
              "<="),
        _line("past_moment", "report as of a new past moment (HTTP, uncached), p99, ms",
              dig(p, "past", "moments", "p99_ms"), "(goal: under 2 s)", 2000, 1.0, "<="),
        _line("outcomes", f"the national programme's outcomes with intervals "
              f"({dig(p, 'outcomes', 'lines')} lines), uncached, slowest, ms",
              dig(p, "outcomes", "max_ms"), "(goal: under 2 s)", 2000, 1.0, "<="),
        _line("reconcile", f"reconciliation of {dig(p, 'reconcile', 'events_read'):,} events,"
              " minutes", dig(p, "reconcile", "seconds") / 60, "(goal: within 15 minutes)",
              15, 1.0, "<="),
        _line("reconcile", "reconciliation's differences", dig(p, "reconcile", "differences"),
              "(goal: none)", 1, 1.0, "<"),
        _line("memory", "largest RSS of any service, idle, MiB", _most(idle),
              "(goal: under 150 MiB)", 150, 1.0, "<"),
        _line("memory", "largest RSS of any service in rebuild, load, reconcile, MiB",
              _most(rss["peaks"]), "(goal: under 150 MiB)", 150, 1.0, "<"),
        _line("memory", "largest idle RSS growth over the run (flat in the data), MiB",
              max(growth), "(under 10 MiB)", 10, 1.0, "<"),
    ]
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"\n{'figure':<78}{'value':>13}  {'ceiling or goal':<46}{'ceiling':>12}"
          f"{'ratio':>8}  {'goal':<7}met")
    for row in rows:
        print(f"{row['figure']:<78}{row['value']:>13,.2f}  {row['ceiling']:<46}"
              f"{row['ceiling_value']:>12,.2f}{row['ratio']:>8.3f}  {row['goal']:<7}"
              f"{'met' if row['met'] else 'MISSED'}")


def print_missed(rows: list[dict[str, Any]], profiles: Profiles) -> None:
    """As bench/table.py's, with the national run's own goals beside make bench's."""
    missed = list(dict.fromkeys(row["key"] for row in rows if not row["met"]))
    if not missed:
        print("\nevery goal met")
        return
    print("\nmissed goals: where the time went (self time, busiest processes), next lever")
    for key in missed:
        lever = NATIONAL_LEVERS[key]
        print(f"\n- {lever.title}")
        where = (profiles.where_time_went(lever.phase) if lever.phase
                 else ["not profiled by the bench: " + lever.unprofiled])
        for line in where:
            print(f"    where: {line}")
        print(f"    lever: {lever.next}")
