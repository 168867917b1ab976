"""The read model as of a past moment, answered from the live model's own past: for every
moment, in any arrival order and any batching, it is what a model made from only the events
recorded by then holds, table by table and report by report."""

from datetime import timedelta

import psycopg2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.figures import outcomes, reports
from services.reporting.ingest import past, projections, tables
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import P

pytestmark = pytest.mark.integration

# What each view shows; the versions count applied batches, so they differ by construction.
SHOWN = [t for t in tables.TABLES if t not in ("changes", "programme_changes")]


def rows(cur, schema, table):
    cur.execute(f"SELECT * FROM {schema}.{table}")
    return sorted(cur.fetchall(), key=repr)


def figures(cur, schema):
    cur.execute(f"SELECT 1 FROM {schema}.programmes WHERE programme_id = %s", (P,))
    if cur.fetchone() is None:
        return None  # not launched yet: the API answers 404
    return (reports.programme_report(cur, P, schema), reports.organisations(cur, P, schema),
            reports.districts(cur, P, schema), outcomes.learning_outcomes(cur, P, schema))


def as_of(cur, live, moment):
    """What moments.at does, for a schema that is not the pointer's."""
    then = past.ensure(cur, live)
    cur.execute("SELECT set_config('baqylau.as_of', %s, true)", (moment.isoformat(),))
    return then


def moments_of(events):
    """Just before the first event, between each two events, and after the last."""
    times = sorted({e.time for e in events})
    return [times[0] - timedelta(seconds=1),
            *(a + (b - a) / 2 for a, b in zip(times, times[1:], strict=False)), times[-1]]


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_model_as_of_any_moment_is_the_one_made_of_the_events_recorded_by_then(
        database, events, data):
    delivery = data.draw(st.permutations(events))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(delivery)), max_size=5)))
    live = fresh_schema(database)
    for a, b in zip([0, *cuts], [*cuts, len(delivery)], strict=True):
        projections.handle_batch(database, delivery[a:b], live)
    chosen = data.draw(st.lists(st.sampled_from(moments_of(events)), min_size=3, max_size=6,
                                unique=True))
    for moment in chosen:
        recomputed = fresh_schema(database)
        projections.handle_batch(database, [e for e in events if e.time <= moment],
                                 recomputed)
        with database, database.cursor() as cur:
            then = as_of(cur, live, moment)
            for table in SHOWN:
                assert rows(cur, then, table) == rows(cur, recomputed, table), (moment, table)
            assert figures(cur, then) == figures(cur, recomputed), moment


def test_a_corrected_fact_reads_as_it_was_before_its_correction(database, events):
    """The stream corrects a score, re-attests a teacher, cancels an allocation and sets a
    target again: before each, the earlier version; after, the newer."""
    live = fresh_schema(database)
    projections.handle_batch(database, list(reversed(events)), live)  # newest first
    changed = [e for e in events if e.type in (
        "ScoreCorrected", "CabinetAllocationCancelled", "TeacherCategoryAttested")]
    assert changed
    with database, database.cursor() as cur:
        for event in changed:
            then = as_of(cur, live, event.time - timedelta(microseconds=1))
            before = rows(cur, then, "scores") + rows(cur, then, "cabinets") + rows(
                cur, then, "categories")
            as_of(cur, live, event.time)
            after = rows(cur, then, "scores") + rows(cur, then, "cabinets") + rows(
                cur, then, "categories")
            assert before != after, event.type


def test_the_views_are_remade_for_a_new_shape_and_need_a_moment(database, events):
    live = fresh_schema(database)
    projections.handle_batch(database, events, live)
    with database, database.cursor() as cur:
        then = past.ensure(cur, live)
        assert past.ensure(cur, live) == then == tables.past_schema(live)
    with database, database.cursor() as cur:  # no moment set: an error, never every row
        with pytest.raises(psycopg2.Error, match="baqylau.as_of|timestamp"):
            cur.execute(f"SELECT count(*) FROM {then}.enrolments")
    with database, database.cursor() as cur:
        tables.drop(cur, live)
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname IN (%s, %s)",
                    (live, then))
        assert cur.fetchone()[0] == 0
