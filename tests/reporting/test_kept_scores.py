"""The outcomes' kept sums (ingest/kept.py) against a full recomputation from the scores,
after random streams of score sheets, corrections and rounds applied through the real
projections in any order and batching, with repeats and older versions arriving late; and
the outcomes read from the kept sums against those read from the scores."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from services.reporting.figures import outcomes
from services.reporting.ingest import kept, kept_sql, past, projections, tables
from shared.contracts.envelope import Envelope, source_of
from tests.conftest import PG_HOST, PG_PORT
from tests.reporting.conftest import fresh_schema

pytestmark = pytest.mark.integration

P = "programme"
# round: (phase, its baseline). e2's baseline is itself an endline: a round can be both.
ROUNDS = {"b1": ("baseline", None), "e1": ("endline", "b1"), "e2": ("endline", "e1")}
SCHOOLS, GRADES, SUBJECTS = ["s0", "s1", "s2", "s3"], [5, 6], ["math", "read"]
PUPILS = [f"p{i}" for i in range(6)]
MODELS = {"s0": "streaming", "s1": "streaming", "s2": "online_teaching"}  # s3: not joined
START = datetime(2024, 9, 1, tzinfo=UTC)

entries = st.lists(st.tuples(st.sampled_from(PUPILS), st.sampled_from(SUBJECTS),
                             st.integers(0, 20)), min_size=1, max_size=8,
                   unique_by=lambda e: e[:2])
correction = st.tuples(st.sampled_from(PUPILS), st.sampled_from(SUBJECTS), st.integers(0, 20))
# A sheet's events in its version order: a whole sheet (a list) or one corrected score.
sheet_events = st.lists(st.one_of(entries, correction), min_size=1, max_size=3)
sheets = st.dictionaries(st.tuples(st.sampled_from(list(ROUNDS)), st.sampled_from(SCHOOLS),
                                   st.sampled_from(GRADES)), sheet_events, max_size=7)
opened = st.dictionaries(st.sampled_from(list(ROUNDS)),
                         st.tuples(st.integers(0, 20), st.integers(0, 20),
                                   st.lists(st.sampled_from(SCHOOLS), max_size=2)))


def envelope(nid, event_type, subject, version, data):
    return Envelope(source=source_of("assessment"), type=event_type,
                    time=START + timedelta(minutes=nid), subject=subject, schemaversion=1,
                    notificationid=nid, subjectversion=version, data=data)


def stream(sheets_, opened_):
    """Every event of the drawn world, in log order."""
    out = []
    for round_id, (math, read, comparison) in opened_.items():
        phase, baseline = ROUNDS[round_id]
        out.append(("AssessmentRoundOpened", round_id, 1, {
            "round_id": round_id, "programme_id": P, "phase": phase,
            "baseline_round_id": baseline, "school_year": "2024-2025",
            "opened_on": "2024-09-01", "comparison_school_ids": comparison,
            "subjects": {"math": {"max_score": 20, "threshold": math},
                         "read": {"max_score": 20, "threshold": read}}}))
    for (round_id, school, grade), events in sheets_.items():
        sheet = {"round_id": round_id, "school_id": school, "grade": grade}
        for version, event in enumerate(events, start=1):
            if isinstance(event, list):
                out.append(("ScoresRecorded", f"{round_id}/{school}/{grade}", version, {
                    **sheet, "scores": [{"pupil_ref": p, "subject": s, "score": v}
                                        for p, s, v in event]}))
            else:
                pupil, subject, score = event
                out.append(("ScoreCorrected", f"{round_id}/{school}/{grade}", version, {
                    **sheet, "pupil_ref": pupil, "subject": subject, "score": score}))
    return [envelope(nid, *event) for nid, event in enumerate(out, start=1)]


def joined(school, model, nid):
    return Envelope(source=source_of("registry"), type="OrganisationJoinedProgramme",
                    time=START, subject=school, schemaversion=1, notificationid=nid,
                    subjectversion=1, data={"programme_id": P, "organisation_id": school,
                                            "model": model, "kind": "school",
                                            "district_code": "1510", "joined_on": "2024-09-01"})


def apply_shuffled(conn, schema, events, data):
    """The events with some repeated, shuffled and cut into batches, each batch applied."""
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    arrival = data.draw(st.permutations(events + repeats))
    while arrival:
        size = data.draw(st.integers(1, max(1, len(arrival))))
        projections.handle_batch(conn, arrival[:size], schema)
        arrival = arrival[size:]


def recounted(cur, schema):
    """The kept tables' rows as a recomputation from `scores` and `rounds` defines them."""
    cur.execute(sql.SQL("SELECT round_id, phase, baseline_round_id, subjects FROM {}.rounds")
                .format(sql.Identifier(schema)))
    rounds = {r: (phase, baseline, subjects) for r, phase, baseline, subjects in cur.fetchall()}
    cur.execute(sql.SQL("SELECT round_id, school_id, grade, pupil_ref, subject, score"
                        " FROM {}.scores").format(sql.Identifier(schema)))
    scores = cur.fetchall()
    cells, matched = {}, {}
    for r, school, grade, _, subject, score in scores:
        threshold = rounds[r][2][subject]["threshold"] if r in rounds else None
        n, total, squares, above = cells.get((r, school, grade, subject), (0, 0, 0, 0))
        cells[(r, school, grade, subject)] = (
            n + 1, total + score, squares + score * score,
            above + (threshold is not None and score >= threshold))
    for endline, (phase, baseline, _) in rounds.items():
        if phase != "endline":
            continue
        for b_round, school, grade, pupil, subject, b in scores:
            for e_round, _, _, e_pupil, e_subject, e in scores:
                if (b_round, e_round, e_pupil, e_subject) == (baseline, endline, pupil, subject):
                    key = (endline, school, grade, subject)
                    sums = matched.get(key, (0,) * 6)
                    matched[key] = tuple(a + d for a, d in zip(
                        sums, (1, b, b * b, e, e * e, b * e), strict=True))
    return cells, matched


def kept_rows(cur, schema, table):
    """The kept rows with pupils; a row whose pupils all left holds nothing else either."""
    cur.execute(sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema),
                                                      sql.Identifier(table)))
    rows = cur.fetchall()
    assert all(not any(row[4:]) for row in rows if row[4] == 0)
    return {row[:4]: tuple(row[4:]) for row in rows if row[4] != 0}


def assert_kept_as_recounted(conn, schema):
    with conn, conn.cursor() as cur:
        cells, matched = recounted(cur, schema)
        assert kept_rows(cur, schema, kept.CELLS) == cells
        assert kept_rows(cur, schema, kept.MATCHED) == matched
        from_kept = outcomes.learning_outcomes(cur, P, schema, kept=True)
        assert from_kept == outcomes.learning_outcomes(cur, P, schema, kept=False)
    return from_kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets_=sheets, opened_=opened, data=st.data())
def test_kept_sums_equal_a_recount_after_any_arrival_order(database, sheets_, opened_, data):
    schema = fresh_schema(database)
    try:
        projections.handle_batch(database, [joined(s, m, i) for i, (s, m) in
                                            enumerate(MODELS.items(), start=1)], schema)
        apply_shuffled(database, schema, stream(sheets_, opened_), data)
        assert_kept_as_recounted(database, schema)
    finally:
        with database, database.cursor() as cur:
            tables.drop(cur, schema)


def world():
    """A fixed world: every round, each school's sheets with a correction, some leavers."""
    sheets_ = {}
    for r in ROUNDS:
        for i, school in enumerate(SCHOOLS):
            for grade in GRADES:
                scores = [(p, s, (7 * j + 3 * i + len(r) + grade) % 21)
                          for j, p in enumerate(PUPILS[i % 2:]) for s in SUBJECTS]
                sheets_[(r, school, grade)] = [scores, (PUPILS[-1], "math", 20)]
    return sheets_, {r: (10, 12, ["s3"]) for r in ROUNDS}


def test_outcomes_from_kept_sums_are_those_of_the_scores_and_of_the_past(database):
    schema = fresh_schema(database)
    events = stream(*world())
    projections.handle_batch(database, [joined(s, m, i) for i, (s, m) in
                                        enumerate(MODELS.items(), start=1)], schema)
    projections.handle_batch(database, events[3:], schema)  # the rounds after their scores
    projections.handle_batch(database, events[:3], schema)
    live = assert_kept_as_recounted(database, schema)
    assert {o["split"] for o in live} >= {"all", "comparison", "model:streaming"}
    assert all("difference_in_differences" in o for o in live if o["split"] == "all")
    with database, database.cursor() as cur:
        cur.execute("SELECT set_config('baqylau.as_of', %s, true)",
                    ((START + timedelta(days=1)).isoformat(),))
        assert outcomes.learning_outcomes(cur, P, past.ensure(cur, schema)) == live


def test_a_model_made_before_the_kept_sums_gains_them_filled(database):
    schema = fresh_schema(database)
    projections.handle_batch(database, stream(*world()), schema)
    with database, database.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE {s}.score_cells, {s}.matched_scores").format(
            s=sql.Identifier(schema)))
        for table, event, _ in kept_sql.TRIGGERS:
            cur.execute(sql.SQL("DROP TRIGGER {} ON {}.{}").format(
                sql.Identifier(f"kept_{table}_{event.lower()}"), sql.Identifier(schema),
                sql.Identifier(table)))
        cur.execute(sql.SQL("UPDATE {}.scores SET score = 20 - score WHERE grade = 5")
                    .format(sql.Identifier(schema)))  # unseen by any trigger
    with database, database.cursor() as cur:
        tables.create(cur, schema)
    assert_kept_as_recounted(database, schema)


def test_one_upsert_that_inserts_a_baseline_and_updates_its_endline_pairs_them_once(database):
    """An upsert fires an UPDATE and an INSERT trigger, each seeing the other's rows."""
    schema = fresh_schema(database)
    projections.handle_batch(database, stream({("e1", "s0", 5): [[("p0", "math", 4)]]},
                                              {"e1": (10, 10, [])}), schema)
    with database, database.cursor() as cur:
        cur.execute(sql.SQL(
            "INSERT INTO {}.scores AS t (round_id, school_id, grade, pupil_ref, subject, score,"
            " version) VALUES ('b1', 's1', 5, 'p0', 'math', 3, 1),"
            " ('e1', 's0', 5, 'p0', 'math', 9, 2) ON CONFLICT (round_id, school_id, grade,"
            " pupil_ref, subject) DO UPDATE SET score = EXCLUDED.score,"
            " version = EXCLUDED.version").format(sql.Identifier(schema)))
        assert kept_rows(cur, schema, kept.MATCHED) == {
            ("e1", "s1", 5, "math"): (1, 3, 9, 9, 81, 27)}
    assert_kept_as_recounted(database, schema)


def test_a_writer_of_scores_waits_for_the_kept_sums_lock_before_writing_a_row(database):
    """Taken only in the triggers, after a statement's rows, the lock could close a cycle
    with another writer's score rows; taken first, the second writer has written nothing
    while it waits."""
    import contextlib

    import eventlet
    import psycopg2

    schema = fresh_schema(database)
    first, second = stream({("b1", "s0", 5): [[("p0", "math", 3)]],
                            ("b1", "s1", 5): [[("p1", "math", 4)]]}, {})
    second = dataclasses.replace(second, notificationid=99)
    other = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="reporting",
                             password="reporting", dbname=database.info.dbname)
    with other, other.cursor() as cur:  # never a wait without end, whatever the code does
        cur.execute("SET SESSION lock_timeout = '5s'")
    waiting = None
    try:
        with database.cursor() as cur:  # an open transaction that has applied a sheet
            projections._apply(cur, schema, [first])
            waiting = eventlet.spawn(projections.handle_batch, other, [second], schema)
            eventlet.sleep(0.5)
            cur.execute("SELECT l.locktype, l.granted, c.relname FROM pg_locks l"
                        " LEFT JOIN pg_class c ON c.oid = l.relation WHERE l.pid = %s",
                        (other.get_backend_pid(),))
            held = cur.fetchall()
            assert ("advisory", False, None) in held
            assert not [lock for lock in held if lock[2] == "scores"]  # no row written yet
        database.commit()
        with eventlet.Timeout(10):
            assert waiting.wait() == [second]
    finally:
        database.rollback()
        with eventlet.Timeout(10, False):  # its query ends before its connection closes
            with contextlib.suppress(Exception):
                waiting and waiting.wait()
        other.close()
