"""`rounds_of`, behind assessment's list_rounds query: a programme's rounds by round id, on
SQLite and on PostgreSQL."""

from datetime import date

import pytest

from services.assessment.app import AssessmentApplication
from shared.config import event_store_env

SUBJECTS = {"math": {"max_score": 40, "threshold": 20}}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = AssessmentApplication(env=event_store_env({"EVENT_STORE": store}))
    yield application
    application.close()


def open_round(app, round_id, programme_id, phase="baseline", baseline=None):
    return app.open_round(round_id, programme_id=programme_id, school_year="2024-2025",
                          phase=phase, grades=[6, 8], subjects=SUBJECTS,
                          opened_on=date(2024, 9, 15), baseline_round_id=baseline)


def test_lists_a_programmes_rounds_by_id_and_no_other_programmes(app):
    open_round(app, "URL-BASE", "uralsk")
    open_round(app, "AKT-BASE", "aktobe")
    open_round(app, "URL-END", "uralsk", phase="endline", baseline="URL-BASE")
    assert [r.round_id for r in app.rounds_of("uralsk")] == ["URL-BASE", "URL-END"]
    assert [r.round_id for r in app.rounds_of("aktobe")] == ["AKT-BASE"]


def test_a_round_closed_after_a_listing_is_listed_as_closed(app):
    open_round(app, "URL-BASE", "uralsk")
    assert app.rounds_of("uralsk")[0].closed_on is None
    app.close_round("URL-BASE", date(2024, 10, 1))
    open_round(app, "URL-BASE2", "uralsk")
    listed = app.rounds_of("uralsk")
    assert [(r.round_id, r.closed_on) for r in listed] == [
        ("URL-BASE", date(2024, 10, 1)), ("URL-BASE2", None)]


def test_a_programme_without_rounds_has_an_empty_list(app):
    assert app.rounds_of("uralsk") == []
