"""`courses_of`, behind training's list_courses query: a programme's courses by code, on
SQLite and on PostgreSQL."""

from decimal import Decimal

import pytest

from services.training.app import TrainingApplication
from services.training.registry_facts import NotKnownYet
from shared.config import event_store_env
from tests.training.registry import learn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = TrainingApplication(env=event_store_env({"EVENT_STORE": store}))
    learn(application, "uralsk", ["S-001"])
    learn(application, "aktobe", ["S-002"])
    yield application
    application.close()


def schedule(app, programme_id, code):
    return app.schedule_course(programme_id=programme_id, code=code, title=f"Course {code}",
                               subject="assessment", format="online", audience="teacher",
                               planned_hours=Decimal(24), completion_hours=Decimal(20),
                               provider="ESEN")


def test_lists_a_programmes_courses_by_code_and_no_other_programmes(app):
    schedule(app, "uralsk", "URL-02")
    schedule(app, "aktobe", "AKT-01")
    schedule(app, "uralsk", "URL-01")
    assert [c.code for c in app.courses_of("uralsk")] == ["URL-01", "URL-02"]
    assert [c.code for c in app.courses_of("aktobe")] == ["AKT-01"]


def test_a_course_scheduled_after_a_listing_is_in_the_next_one(app):
    schedule(app, "uralsk", "URL-01")
    assert len(app.courses_of("uralsk")) == 1
    schedule(app, "uralsk", "URL-02")
    schedule(app, "uralsk", "URL-01")  # re-sent: stores nothing, listed once
    assert [c.code for c in app.courses_of("uralsk")] == ["URL-01", "URL-02"]


def test_a_programme_without_courses_has_an_empty_list(app):
    assert app.courses_of("aktobe") == []


def test_a_programme_training_has_not_learnt_of_is_not_known_yet(app):
    with pytest.raises(NotKnownYet):
        app.courses_of("no-such-programme")
