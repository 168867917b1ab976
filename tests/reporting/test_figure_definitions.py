"""Each figure as the README defines it: the share of the programme's teachers holding a
qualification category (whatever programme, or none, their category was attested under),
live, as of a past moment and in the reconciliation; and the monthly progress, each unit
dated by the earliest of its own facts' dates, not by the fact recorded first."""

import dataclasses
import uuid
from datetime import date, timedelta

import pytest

from services.reporting.figures import behind, progress, reconcile, reports
from services.reporting.figures.catalogue import CATALOGUE
from services.reporting.figures.reconcile import folded
from services.reporting.ingest import past, projections
from tests.reporting.conftest import fresh_schema
from tests.reporting.figure_stream import PUPILS, figure_stream
from tests.reporting.stream import P

pytestmark = pytest.mark.integration

START, END = date(2023, 1, 1), date(2024, 12, 31)


@pytest.fixture(scope="module")
def stream_(tmp_path_factory):
    return figure_stream(tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def model(database, stream_):
    schema = fresh_schema(database)
    projections.handle_batch(database, stream_, schema)
    return schema


def share(cur, schema):
    figures = reports.figures(cur, P, schema)
    return figures["teachers_with_category"], figures["programme_teachers"]


def attestation(events, teacher, programme):
    [event] = [e for e in events if e.type == "TeacherCategoryAttested"
               and (e.data["teacher_id"], e.data["programme_id"]) == (teacher, programme)]
    return event


def test_the_share_counts_every_programme_teacher_holding_a_category_whoever_attested_it(
        database, model, stream_):
    with database, database.cursor() as cur:
        numerator, denominator = share(cur, model)
        page = behind.page(cur, model, P, "teachers_with_category", 0, 100)
        differences = reconcile.differences(stream_, cur, [P], model)
    # T0 (no programme named) and T8 (another programme) are in its courses; T9 attested
    # under it; T1 holds none; T5 is no teacher of it; T7's newest attestation is another
    # programme's, and it is in none of the courses: no longer the programme's teacher.
    assert (numerator, denominator) == (3, 4)
    assert sorted(e["fields"]["teacher_id"] for e in page["events"]) == ["T0", "T8", "T9"]
    assert {e["type"] for e in page["events"]} == {"TeacherCategoryAttested"}
    assert page["figure"] == 3 and differences == []


def test_the_share_as_of_a_past_moment_is_the_one_made_of_the_events_recorded_by_then(
        database, model, stream_):
    """Between T7's two attestations, T7 is the programme's teacher by its attestation."""
    moment = attestation(stream_, "T7", P).time
    recorded = [e for e in stream_ if e.time <= moment]
    then_alone = fresh_schema(database)
    projections.handle_batch(database, recorded, then_alone)
    fold = folded(recorded)
    with database, database.cursor() as cur:
        alone = share(cur, then_alone)
        then = past.ensure(cur, model)
        cur.execute("SELECT set_config('baqylau.as_of', %s, true)", (moment.isoformat(),))
        as_of = share(cur, then)
        counted = behind.page(cur, then, P, "teachers_with_category_share", 0, 100)
    assert as_of == alone == (4, 5)
    assert tuple(CATALOGUE[name].count(fold, P) for name in (
        "teachers_with_category", "programme_teachers")) == (4, 5)
    assert (counted["figure"], counted["numerator"], counted["denominator"]) == (80, 4, 5)


def month(line, at):
    return next(m["actual"] for m in line if m["month"] == at)


def lines(cur, schema, *figures):
    return {f: progress.monthly(cur, schema, P, f, START, END) for f in figures}


def test_each_unit_counts_from_the_earliest_of_its_own_dates_not_the_first_recorded(
        database, model):
    with database, database.cursor() as cur:
        line = lines(cur, model, "teachers_trained", "programme_teachers",
                     "management_teams_trained", "practices_adopted", "pupils_assessed")
        actual = reports.figures(cur, P, model)
    assert month(line["teachers_trained"], "2023-09") == 0
    assert month(line["teachers_trained"], "2023-10") == 1  # T0's first course, recorded last
    assert month(line["programme_teachers"], "2023-09") == 1  # T0 enrolled then
    assert month(line["management_teams_trained"], "2024-02") == 1  # M2's, recorded last
    assert month(line["practices_adopted"], "2024-02") == 1  # S1's second adoption
    assert month(line["pupils_assessed"], "2023-09") == PUPILS  # the baseline, recorded last
    for figure, monthly in line.items():
        assert monthly[-1]["actual"] == actual[figure], figure  # the line ends at the figure


def test_a_category_held_before_the_programme_counts_from_its_first_month(database, model):
    """T0's category (2022, before its course) counts from the first month; the share is
    drawn over all the programme's teachers (4 at the end), so it only rises as teachers
    come to hold a category, never from teachers joining."""
    with database, database.cursor() as cur:
        line = lines(cur, model, "teachers_with_category", "programme_teachers",
                     "teachers_with_category_share")
    held, share = line["teachers_with_category"], line["teachers_with_category_share"]
    assert [month(held, m) for m in ("2023-01", "2023-09", "2023-12", "2024-03")] == [
        1, 1, 2, 3]
    assert [month(share, m) for m in ("2023-01", "2023-12", "2024-03")] == [25, 50, 75]
    assert share[-1]["actual"] == 75


def test_a_teacher_holding_a_category_before_joining_the_programme_counts_by_its_enrolment(
        database, stream_):
    """T5, attested long ago under no programme, enrols in the programme's course after an
    approval: the numerator's change is that enrolment, an event recorded since."""
    schema = fresh_schema(database)
    projections.handle_batch(database, stream_, schema)
    approved_at = max(e.time for e in stream_) + timedelta(seconds=1)
    [course] = [e for e in stream_ if e.type == "ParticipantEnrolled"
                and e.data["participant_id"] == "T1"]
    joined = str(uuid.uuid4())
    enrolment = dataclasses.replace(
        course, time=approved_at + timedelta(minutes=5), subject=joined,
        notificationid=course.notificationid + 10_000,
        data={**course.data, "enrolment_id": joined, "participant_id": "T5"})
    projections.handle_batch(database, [enrolment], schema)
    with database, database.cursor() as cur:
        since = behind.page(cur, schema, P, "teachers_with_category", 0, 100,
                            recorded_after=approved_at)
        every = behind.page(cur, schema, P, "teachers_with_category", 0, 100)
        differences = reconcile.differences([*stream_, enrolment], cur, [P], schema)
    assert [(e["type"], e["fields"]["teacher_id"]) for e in since["events"]] == [
        ("ParticipantEnrolled", "T5")]
    assert every["figure"] == 4 and differences == []
