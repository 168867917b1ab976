"""What an uncached report costs, part by part, as the data grows: `make bench-report-parts`.

The read side alone. A read model of a national programme is written straight into a
scratch schema with SQL (rows, not events: the kept figures' triggers run as the
projections' statements make them), at two sizes: BENCH_PARTS_SCALES [0.1,1.0] of 7,687
schools, 350,000 teachers who completed a course and 3.5 million pupils scored in 3
subjects at baseline and endline (21 million score rows at 1.0). At each size every part
of the report is computed uncached (the best of BENCH_PARTS_REPEAT [3]), beside its
ceiling measured in the same run: one sequential read of the rows the report reads
(enrolments and scores). The growth column is the part's cost at the larger size over
its cost at the smaller: flat is 1, and the data grew by the ratio of the scales. The
pages of a figure's events are asked as the API's first miss asks them: with the figure's
totals, which the API then keeps for the model's state.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any, Callable

import psycopg2

from bench.databases import ADMIN
from services.reporting.figures import behind, cabinets, progress, reports
from services.reporting.ingest import past, tables

SCHOOLS, TEACHERS, PUPILS = 7_687, 350_000, 3_500_000
SUBJECTS = ("kazakh", "maths", "science")
CHUNK = 250_000  # pupils per INSERT: six score rows each
START, END = date(2024, 9, 1), date(2026, 6, 30)


def scales() -> list[float]:
    return [float(x) for x in os.environ.get("BENCH_PARTS_SCALES", "0.1,1.0").split(",")]


def fill(cur: Any, s: str, scale: float) -> dict[str, int]:
    """The national programme's read model at `scale`; returns its sizes."""
    schools, teachers, pupils = (max(12, int(SCHOOLS * scale)), int(TEACHERS * scale),
                                 int(PUPILS * scale))
    subjects = ", ".join(f'"{x}": {{"max_score": 40, "threshold": 20}}' for x in SUBJECTS)
    cur.execute(f"""
    INSERT INTO {s}.programmes VALUES ('national', 'Ұлттық', 'Национальная', 'National',
      ARRAY['15'], '{START}', '{END}', 90000000000, 'registry', 1, '2024-08-01');
    INSERT INTO {s}.targets (programme_id, indicator, measure, baseline, target, period_end,
      version, by_src, by_nid, recorded_at)
      SELECT 'national', i, 'count', 0, 1000000, '{END}', 1, 'registry', 2, '2024-08-01'
        FROM unnest(ARRAY['teachers_trained', 'pupils_assessed']) i;
    INSERT INTO {s}.organisations (organisation_id, kind, region_code, district_code,
      name_ru, school_year, small_class, pupils, teachers, version, by_src, by_nid,
      recorded_at)
      SELECT 'S-' || g, 'school', '15', (1510 + 2 * (g % 12))::text, 'школа ' || g,
             '2024-2025', g % 3 = 0, 455, 45, 1, 'registry', 10 + g, '2024-08-01'
        FROM generate_series(1, {schools}) g;
    INSERT INTO {s}.participants SELECT 'national', 'S-' || g, 'streaming', 'school',
      (1510 + 2 * (g % 12))::text, '{START}', 'registry', 20000 + g, '2024-08-01'
      FROM generate_series(1, {schools}) g;
    INSERT INTO {s}.profiles SELECT 'S-' || g, '2024-2025', g % 3 = 0, 455, 1, 'registry',
      40000 + g, '2024-08-01' FROM generate_series(1, {schools}) g;
    INSERT INTO {s}.cabinets (cabinet_id, programme_id, organisation_id, kind, district_code,
      allocated, cost_kzt, commitment_id, funder_id, delivered, commissioned, procured_on,
      procured_src, procured_nid, procured_at)
      SELECT gen_random_uuid(), 'national', 'S-' || g, 'combined', (1510 + 2 * (g % 12))::text,
             true, 15000000, NULL, NULL, true, g % 5 <> 0, '2024-11-01', 'equipment', g,
             '2024-11-01' FROM generate_series(3, {schools}, 3) g;
    INSERT INTO {s}.enrolments (enrolment_id, programme_id, role, participant_id, school_id,
      status, status_version, enrolled_src, enrolled_nid, ended_src, ended_nid, enrolled_on,
      ended_on, enrolled_at, ended_at)
      SELECT gen_random_uuid(), 'national', 'teacher', 'T-' || g, 'S-' || (1 + g % {schools}),
             'completed', 3, 'training', 2 * g, 'training', 2 * g + 1,
             '{START}'::date + g % 300, '{START}'::date + 30 + g % 600,
             '{START}'::timestamptz + (g % 300) * interval '1 day',
             '{START}'::timestamptz + (30 + g % 600) * interval '1 day'
        FROM generate_series(1, {teachers}) g;
    INSERT INTO {s}.rounds VALUES
      ('B', 'national', 'baseline', NULL, '2024-2025', '{{{subjects}}}', '2024-09-20',
       'assessment', 1, '2024-09-20'),
      ('E', 'national', 'endline', 'B', '2024-2025', '{{{subjects}}}', '2025-05-20',
       'assessment', 2, '2025-05-20');
    """)
    for first in range(0, pupils, CHUNK):
        cur.execute(f"""
        INSERT INTO {s}.scores SELECT r, 'S-' || (1 + k % {schools}), 6 + 2 * (k % 3),
               'p-' || md5(k::text), subject,
               (k::bigint * 7919 + length(subject) * 13 + (r = 'E')::int * 5) % 41, 1,
               'assessment', 1000 + (k % {schools}) * 6 + (k % 3) * 2 + (r = 'E')::int,
               CASE r WHEN 'B' THEN '2024-09-25'::timestamptz ELSE '2025-05-25' END
          FROM generate_series({first}, {min(first + CHUNK, pupils) - 1}) k,
               unnest(ARRAY{list(SUBJECTS)}) subject, unnest(ARRAY['B', 'E']) r""")
    cur.execute("ANALYZE")
    return {"schools": schools, "teachers": teachers, "score_rows": pupils * 6}


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def parts(cur: Any, s: str) -> dict[str, Callable[[], Any]]:
    p = "national"

    def progress_lines() -> None:
        for figure in ("teachers_trained", "pupils_assessed"):
            progress.monthly(cur, s, p, figure, START, END)

    def pages(figure: str) -> Callable[[], Any]:
        def run() -> None:
            first = behind.page(cur, s, p, figure, None, 100)
            behind.page(cur, s, p, figure, first["next_after"], 100)
        return run

    def as_of() -> None:
        then = past.ensure(cur, s)
        cur.execute("SELECT set_config('baqylau.as_of', %s, true)",
                    (datetime(2025, 3, 1, tzinfo=UTC).isoformat(),))
        reports.programme_report(cur, p, then)
        cur.execute("SELECT set_config('baqylau.as_of', '', true)")

    return {
        "whole report": lambda: reports.programme_report(cur, p, s),
        "indicators": lambda: reports.indicators(cur, p, s),
        "progress lines (2 indicators)": progress_lines,
        "learning outcomes": lambda: reports.learning_outcomes(cur, p, s),
        "cabinets": lambda: cabinets.section(cur, p, s),
        "districts": lambda: reports.districts(cur, p, s),
        "organisations": lambda: reports.organisations(cur, p, s),
        "2 pages of 100 teachers' events, totals too": pages("teachers_trained"),
        "2 pages of 100 pupils' events, totals too": pages("pupils_assessed"),
        "whole report as of a past moment": as_of,
        "ceiling: one read of the enrolments and scores": lambda: cur.execute(
            tables.q("SELECT (SELECT count(*) FROM {s}.enrolments),"
                     " (SELECT sum(score) FROM {s}.scores)", s)),
    }


def measure(scale: float, repeat: int) -> tuple[dict[str, int], dict[str, float]]:
    conn = psycopg2.connect(ADMIN)
    schema = f"rm_parts_{uuid.uuid4().hex[:8]}"
    try:
        with conn, conn.cursor() as cur:
            tables.create(cur, schema)
        started = time.perf_counter()
        with conn, conn.cursor() as cur:
            sizes = fill(cur, schema, scale)
        print(f"scale {scale}: {sizes} written in {time.perf_counter() - started:.0f} s",
              flush=True)
        with conn, conn.cursor() as cur:
            cur.execute("SET statement_timeout = '600s'")
            costs = {}
            for name, run in parts(cur, schema).items():
                costs[name] = best(repeat, run)
                print(f"  {name:48s} {costs[name]:10,.0f} ms", flush=True)
        return sizes, costs
    finally:
        with conn, conn.cursor() as cur:
            tables.drop(cur, schema)
        conn.close()


def main() -> None:
    repeat = int(os.environ.get("BENCH_PARTS_REPEAT", "3"))
    runs = [(scale, *measure(scale, repeat)) for scale in scales()]
    (low, _, small), (high, sizes, large) = runs[0], runs[-1]
    ceiling = large["ceiling: one read of the enrolments and scores"]
    print(f"\n{'part (uncached)':48s} {'at ' + str(low):>10s} {'at ' + str(high):>10s}"
          f" {'growth':>7s} {'× ceiling':>10s}")
    for name, cost in large.items():
        print(f"{name:48s} {small[name]:8,.0f}ms {cost:8,.0f}ms {cost / small[name]:7.1f}"
              f" {cost / ceiling:10.2f}")
    print(f"data grew {high / low:.0f} ×; at {high}: {sizes}")


if __name__ == "__main__":
    main()
