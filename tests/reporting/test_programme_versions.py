"""A programme's cached answers last until its own figures change: another programme's
events leave them, and an event that may count anywhere empties them all."""

import dataclasses
import uuid
from datetime import date

from services.reporting.api import cache
from services.reporting.figures import reports
from services.reporting.ingest import projections
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import P

ELSEWHERE = "kyzylorda-league"


def _of_type(events, event_type):
    return next(e for e in events if e.type == event_type)


def _moved(envelope, nid, **data):
    """The same event as if recorded anew (another notification id), with `data` changed."""
    return dataclasses.replace(envelope, notificationid=nid, data={**envelope.data, **data})


def _cached_report(database, schema):
    reports_cache, computed = cache.ReportCache(), []

    def report():
        with database, database.cursor() as cur:
            return reports_cache.get(cur, schema, P, ("report", P), lambda: computed.append(1)
                                     or reports.programme_report(cur, P, schema))
    return report, computed


def test_another_programmes_enrolment_leaves_the_report_cached(database, events):
    schema = fresh_schema(database)
    projections.handle_batch(database, events, schema)
    report, computed = _cached_report(database, schema)
    first = report()
    elsewhere = _moved(_of_type(events, "ParticipantEnrolled"), 10**9,
                       programme_id=ELSEWHERE, enrolment_id=str(uuid.uuid4()))
    assert projections.handle_batch(database, [elsewhere], schema)
    assert report() is first and computed == [1]


def test_the_programmes_own_event_empties_its_cached_report(database, events):
    schema = fresh_schema(database)
    enrolment = _of_type(events, "ParticipantEnrolled")
    projections.handle_batch(database, [e for e in events if e is not enrolment], schema)
    report, computed = _cached_report(database, schema)
    report()
    assert projections.handle_batch(database, [enrolment], schema)
    after = report()
    assert computed == [1, 1]
    with database, database.cursor() as cur:
        assert after == reports.programme_report(cur, P, schema)


def test_an_attestation_elsewhere_empties_every_programmes_cached_report(database, events):
    """A teacher's category counts in every programme they belong to, whichever attested it."""
    schema = fresh_schema(database)
    projections.handle_batch(database, events, schema)
    report, computed = _cached_report(database, schema)
    report()
    attested = _moved(_of_type(events, "TeacherCategoryAttested"), 10**9 + 1,
                      programme_id=ELSEWHERE)
    assert projections.handle_batch(database, [attested], schema)
    report()
    assert computed == [1, 1]


def test_an_event_without_a_programme_empties_every_programmes_cached_report(database,
                                                                              events):
    schema = fresh_schema(database)
    projections.handle_batch(database, events, schema)
    report, computed = _cached_report(database, schema)
    report()
    school = _moved(_of_type(events, "OrganisationProfileUpdated"), 10**9 + 2)
    assert projections.handle_batch(database, [school], schema)
    report()
    assert computed == [1, 1]


def test_a_batch_names_the_programmes_it_changes(events):
    enrolment = _of_type(events, "ParticipantEnrolled")
    elsewhere = _moved(enrolment, 10**9, programme_id=ELSEWHERE)
    assert projections.programmes_changed([enrolment, elsewhere]) == {P, ELSEWHERE}
    assert projections.programmes_changed([]) == set()
    for anywhere in ("TeacherCategoryAttested", "OrganisationRegistered", "PlaceNamed"):
        assert projections.programmes_changed([enrolment, _of_type(events, anywhere)]) is None


def test_a_report_cached_yesterday_is_computed_again_today(database, events, monkeypatch):
    """Its progress lines run to today and IATI's status says whether the programme is over:
    a quiet programme's answer must not outlive its day."""
    schema = fresh_schema(database)
    projections.handle_batch(database, events, schema)
    report, computed = _cached_report(database, schema)
    monkeypatch.setattr(cache, "today", lambda: date(2026, 3, 1))
    first = report()
    assert report() is first and computed == [1]
    monkeypatch.setattr(cache, "today", lambda: date(2026, 3, 2))
    report()
    assert computed == [1, 1]
