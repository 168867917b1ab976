"""Group commit (shared/group_commit.py) against the real PostgreSQL: concurrent saves share
a transaction, a failing one fails alone, notification ids stay in commit order for a
tailing reader, and a writer killed mid-group leaves nothing stuck."""

from __future__ import annotations

import time
from datetime import date

import eventlet
import psycopg2
import pytest
from eventsourcing.persistence import IntegrityError

from services.training.domain import Course, Enrolment
from shared import metrics
from shared.group_commit import GroupCommitRecorder
from tests.conftest import dsn_of
from tests.shared.relay_helpers import make_app

pytestmark = pytest.mark.integration


@pytest.fixture
def app(pg_database):
    application = make_app({**pg_database, "group_commit": True})
    yield application
    application.close()


def a_course(app):
    course = Course(programme_id="p", code="C", title="t", subject="s", format="online",
                    audience="teacher", planned_hours=1, completion_hours=1, provider="x")
    app.save(course)
    return course


def enrolment(course, n: int) -> Enrolment:
    return Enrolment(course_id=course.id, programme_id="p", participant_id=f"T-{n}",
                     school_id="S-1", role="teacher", management_team_id=None,
                     enrolled_on=date(2024, 9, 1))


def groups_written() -> tuple[float, float]:
    """(groups, saves) observed by the group-size histogram so far, every service."""
    groups = saves = 0.0
    for family in metrics.COMMIT_GROUP_SIZE.collect():
        for sample in family.samples:
            if sample.name.endswith("_count"):
                groups += sample.value
            elif sample.name.endswith("_sum"):
                saves += sample.value
    return groups, saves


def save_all(app, aggregates) -> list:
    """Save each aggregate from its own green thread at once; each one's error or None."""
    def save(aggregate):
        try:
            app.save(aggregate)
        except Exception as exc:  # noqa: BLE001 - the test reads each outcome
            return exc
        return None

    pool = eventlet.GreenPool(len(aggregates))
    with eventlet.Timeout(60):
        return list(pool.imap(save, aggregates))


def test_the_recorder_is_the_group_committing_one(app):
    assert isinstance(app.recorder, GroupCommitRecorder)


def test_concurrent_saves_share_transactions_and_every_event_is_stored(app):
    course = a_course(app)
    groups_before, saves_before = groups_written()
    outcomes = save_all(app, [enrolment(course, n) for n in range(40)])
    groups, saves = groups_written()
    assert outcomes == [None] * 40
    assert saves - saves_before == 40
    assert groups - groups_before < 40  # some saves were written together
    ids = [n.id for n in app.select_after(0, 100)]
    assert ids == list(range(1, 42))


def test_a_conflicting_save_fails_alone(app):
    course = a_course(app)
    twins = [enrolment(course, 99), enrolment(course, 99)]  # the same aggregate, version 1
    others = [enrolment(course, n) for n in range(10)]
    outcomes = save_all(app, others[:5] + twins + others[5:])
    errors = [o for o in outcomes if o is not None]
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError)
    for aggregate in others + twins[:1]:
        assert app.find(aggregate.id, Enrolment) is not None
    # The rolled-back savepoint used sequence values: gaps, never a later fill-in.
    assert len(app.select_after(0, 100)) == 1 + 10 + 1


def test_a_tailing_reader_never_passes_over_an_id_that_commits_later(app, pg_database):
    """Groups race a slow outside writer that holds eventsourcing's table lock for a second
    before committing; a reader polling the log meanwhile sees every id once, in order."""
    course = a_course(app)
    seen: list[int] = []
    done = False

    def tail():
        while not done or len(seen) < app.last_notification_id():
            after = seen[-1] if seen else 0
            seen.extend(n.id for n in app.select_after(after, 1000))
            eventlet.sleep(0.001)

    def slow_writer():
        conn = psycopg2.connect(dsn_of(pg_database))
        try:
            with conn, conn.cursor() as cur:
                cur.execute("LOCK TABLE training_events IN EXCLUSIVE MODE")
                cur.execute("INSERT INTO training_events (originator_id, originator_version,"
                            " topic, state) VALUES (gen_random_uuid(), 1, 'slow:Event', '')")
                eventlet.sleep(1.0)  # the groups queue behind the lock meanwhile
        finally:
            conn.close()

    reader = eventlet.spawn(tail)
    writer = eventlet.spawn(slow_writer)
    eventlet.sleep(0.1)
    outcomes = save_all(app, [enrolment(course, n) for n in range(60)])
    writer.wait()
    done = True
    with eventlet.Timeout(30):
        reader.wait()
    assert outcomes == [None] * 60
    assert seen == list(range(1, 63))  # the course, the slow one, then 60 enrolments


def test_a_writer_killed_mid_group_leaves_nothing_stuck(app, monkeypatch):
    course = a_course(app)
    recorder = app.recorder
    original = recorder._write_group
    entered = eventlet.event.Event()

    def stalled(group):
        entered.send(None)
        eventlet.sleep(30)  # killed before this ends
        original(group)

    monkeypatch.setattr(recorder, "_write_group", stalled)
    victim = eventlet.spawn(app.save, enrolment(course, 1))
    with eventlet.Timeout(10):
        entered.wait()
    follower = eventlet.spawn(lambda: save_all(app, [enrolment(course, 2)]))
    eventlet.sleep(0.05)
    monkeypatch.setattr(recorder, "_write_group", original)
    victim.kill()
    started = time.monotonic()
    with eventlet.Timeout(20):
        assert follower.wait() == [None]  # the follower led the next group itself
    assert time.monotonic() - started < 5
    assert save_all(app, [enrolment(course, 3)]) == [None]
    assert app.find(enrolment(course, 1).id, Enrolment) is None


def test_a_follower_killed_while_queued_leaves_and_the_leaders_part_is_not_lost(app,
                                                                             monkeypatch):
    """Left in the queue, a dead follower would be handed the leader's part next, and every
    later save would wait for a leader that is gone."""
    course = a_course(app)
    recorder = app.recorder
    original = recorder._write_group
    entered, release = eventlet.event.Event(), eventlet.event.Event()

    def held(group):
        entered.send(None)
        release.wait()
        original(group)

    monkeypatch.setattr(recorder, "_write_group", held)
    leader = eventlet.spawn(app.save, enrolment(course, 1))
    with eventlet.Timeout(10):
        entered.wait()
    monkeypatch.setattr(recorder, "_write_group", original)
    doomed = eventlet.spawn(app.save, enrolment(course, 2))
    eventlet.sleep(0.05)
    assert len(recorder._queue) == 1, "the follower should be queued behind the leader"
    doomed.kill()
    release.send(None)
    with eventlet.Timeout(10):
        leader.wait()
    started = time.monotonic()
    assert save_all(app, [enrolment(course, 3)]) == [None]
    assert time.monotonic() - started < 5, "a later save waited for a leader that was gone"
    assert app.find(enrolment(course, 2).id, Enrolment) is None  # its caller never heard
