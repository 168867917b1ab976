"""A page of a big figure's events costs what a page costs: read from an index in the pages'
order (figures/keyset.py), never every unit computed and sorted; and it lists the very
lines the catalogue's SQL does, live and as of any moment."""

import json
from datetime import datetime, timedelta

import pytest
from psycopg2 import sql

from services.reporting.figures import behind, keyset, paging
from services.reporting.ingest import past, projections, tables
from tests.reporting.conftest import fresh_schema
from tests.reporting.figure_stream import figure_stream
from tests.reporting.stream import P

pytestmark = pytest.mark.integration

BIG = ["teachers_trained", "managers_trained", "management_teams_trained", "pupils_assessed",
       "programme_teachers", "teachers_with_category", "teachers_with_category_share"]


def as_of(cur, schema, moment):
    cur.execute("SELECT set_config('baqylau.as_of', %s, true)", (moment.isoformat(),))
    return past.ensure(cur, schema)


def catalogue_lines(cur, schema, figure):
    cur.execute(tables.q("SELECT src, nid, part, fields::text FROM (" + behind.query(figure)
                         + ") x", schema), {"p": P})
    return sorted(cur.fetchall())


def paged_lines(cur, schema, figure):
    lines, after = [], None
    while True:
        page = behind.page(cur, schema, P, figure, after, 2)
        lines += [(line["source"], line["notification_id"], line.get("part"), line["fields"])
                  for line in page["events"]]
        if page["next_after"] is None:
            return page, lines
        after = page["next_after"]


@pytest.fixture(scope="module")
def figured(database, tmp_path_factory):
    """The figure stream: units whose first recorded fact is not their earliest."""
    schema = fresh_schema(database)
    events = figure_stream(tmp_path_factory.mktemp("figured"))
    projections.handle_batch(database, events, schema)
    return schema, sorted(e.time for e in events)


def test_big_figures_page_the_catalogues_very_lines_live_and_as_of_every_moment(
        database, in_order, figured):
    for schema, times in (figured, (in_order[1], None)):
        if times is None:
            with database, database.cursor() as cur:
                cur.execute(f"SELECT DISTINCT recorded_at FROM {schema}.processed ORDER BY 1")
                times = [row[0] for row in cur.fetchall()]
        moments = [None, times[0] - timedelta(seconds=1),
                   *(times[i] for i in range(0, len(times), max(1, len(times) // 6)))]
        for moment in moments:
            with database, database.cursor() as cur:
                model = schema if moment is None else as_of(cur, schema, moment)
                for figure in BIG:
                    assert keyset.lines(figure, model) is not None
                    page, lines = paged_lines(cur, model, figure)
                    whole = catalogue_lines(cur, model, figure)
                    ours = sorted((source_key(src), nid, part, text(fields))
                                  for src, nid, part, fields in lines)
                    assert ours == [(s, n, part, text(json.loads(f)))
                                    for s, n, part, f in whole], (figure, moment)
                    assert page["count"] == len(lines), (figure, moment)


def source_key(src):
    return src.rsplit("/", 1)[-1]


def text(fields):
    return json.dumps(fields, sort_keys=True)


def fill(cur, schema, teachers=3000, pupils=2000):
    """A model of some thousands of completions and scores, by SQL: each teacher twice
    trained, each pupil scored in three subjects at baseline and endline."""
    s, base = schema, "timestamptz '2024-01-01 00:00+00'"
    cur.execute(f"""INSERT INTO {s}.enrolments (enrolment_id, programme_id, role, participant_id,
        team_id, status, status_version, ended_src, ended_nid, ended_on, ended_at)
      SELECT gen_random_uuid(), '{P}', CASE WHEN g % 10 = 0 THEN 'manager' ELSE 'teacher' END,
        'T' || g % {teachers}, 'TEAM-' || g % 97, 'completed', 1, 'training', g,
        date '2024-01-01' + g % 90, {base} + g * interval '1 minute'
      FROM generate_series(1, {2 * teachers}) g""")
    cur.execute(f"""INSERT INTO {s}.rounds (round_id, programme_id, opened_on, by_src, by_nid,
        recorded_at) VALUES ('R1', '{P}', '2023-09-10', 'assessment', 1, {base}),
        ('R2', '{P}', '2024-05-10', 'assessment', 2, {base})""")
    cur.execute(f"""INSERT INTO {s}.scores (round_id, school_id, grade, pupil_ref, subject,
        score, by_src, by_nid, recorded_at)
      SELECT r, 'S' || p / 25, 4, 'P' || p, subject, 50, 'assessment', n * 1000 + p / 25,
        {base} + (n * 1000 + p / 25) * interval '1 minute'
      FROM generate_series(0, {pupils - 1}) p, (VALUES ('R1', 1), ('R2', 2)) r(r, n),
           unnest(ARRAY['math', 'kaz', 'rus']) subject""")
    cur.execute(f"ANALYZE {s}.enrolments; ANALYZE {s}.scores; ANALYZE {s}.rounds")


def most_read(plan):
    """The most rows any one scan of the plan read in one loop, with those it filtered
    out (its SubPlans' scans included)."""
    here = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0) \
        if "Scan" in plan["Node Type"] else 0
    return max([here, *(most_read(child) for child in plan.get("Plans", []))])


def test_a_page_of_a_big_figure_reads_its_own_lines_not_the_whole_table(database):
    schema = fresh_schema(database)
    with database, database.cursor() as cur:
        fill(cur, schema)
    middle = datetime.fromisoformat("2024-01-03T12:00:00+00:00")
    for moment in (None, middle):
        with database, database.cursor() as cur:
            model = schema if moment is None else as_of(cur, schema, moment)
            for figure in ("teachers_trained", "pupils_assessed", "programme_teachers"):
                first = behind.page(cur, model, P, figure, None, 100)
                parts, on, live = keyset.lines(figure, model)
                cur.execute("SET LOCAL jit = off; SET LOCAL enable_sort = off")
                after = dict(zip(("src", "nid", "part", "fields"),
                                 behind.after_key(first["next_after"]), strict=True))
                source = "assessment" if figure == "pupils_assessed" else "training"
                for part, of in parts:  # to the table's end: no last line to stop at
                    cur.execute(sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ")
                                + paging.part_page(part, of, on, live),
                                {"p": P, "limit": 101, "last_src": source,
                                 "last_nid": 2 ** 62, "one_source": True, **after})
                    [plan] = cur.fetchone()[0]
                    read = most_read(plan["Plan"])
                    assert read <= 1000, (figure, moment, read)  # of 6,000 and 12,000
