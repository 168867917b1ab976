"""The training service in a nameko container, over the real RabbitMQ and PostgreSQL."""

from datetime import date

import pytest
import requests
from nameko.events import event_handler
from nameko.testing.services import entrypoint_waiter

from shared.errors import Conflict, DomainRuleViolated, InvalidInput, NotFound

pytestmark = pytest.mark.integration

received = []


class CompletionListener:
    """Another system subscribing to training's public events the nameko way."""

    name = "listener"

    @event_handler("training", "TrainingCompleted")
    def on_completed(self, envelope):
        received.append(envelope)


@pytest.fixture
def web(config):
    return f"http://{config['WEB_SERVER_ADDRESS']}"


COURSE = dict(programme_id="baquatty-audan", code="ONL-01", title="Criteria-based assessment",
              subject="assessment", format="online", audience="teacher", planned_hours="24",
              completion_hours="20", provider="ESEN Foundation")


def public_ids(training):
    """The notification ids of training's public events (the registry's facts training
    keeps are internal; their ids may have gaps where a live delivery and a catch-up
    raced for the same fact)."""
    return [item["notificationid"]
            for item in training.notifications(after=0, limit=1000)["items"]]


def stored_count(training):
    """Public events stored: what the test's commands recorded."""
    return len(public_ids(training))


def test_rejects_bad_input_naming_each_field_and_stores_nothing(training):
    with pytest.raises(InvalidInput) as caught:
        training.schedule_course(**{**COURSE, "format": "webinar", "planned_hours": "-3",
                                    "colour": "red"})
    assert set(caught.value.errors) == {"format", "planned_hours", "colour"}
    assert "format" in str(caught.value)
    assert stored_count(training) == 0


def test_rejects_a_name_where_a_pupil_or_teacher_id_belongs(training):
    course = training.schedule_course(**COURSE)
    with pytest.raises(InvalidInput) as caught:
        training.enrol(course_id=course["id"], participant_id="Айгерим Нурланова",
                       school_id="S-001", role="teacher", enrolled_on="2024-09-02")
    assert "never a person's name" in caught.value.errors["participant_id"][0]
    assert stored_count(training) == 1


def test_impossible_transitions_are_clear_domain_errors(training):
    course = training.schedule_course(**COURSE)
    enrolment = training.enrol(course_id=course["id"], participant_id="T-0001",
                               school_id="S-001", role="teacher", enrolled_on="2024-09-02")
    training.drop(enrolment_id=enrolment["id"], dropped_on="2024-09-10", reason="relocated")
    before = stored_count(training)
    with pytest.raises(DomainRuleViolated, match="dropped"):
        training.complete(enrolment_id=enrolment["id"], completed_on="2024-10-01")
    with pytest.raises(Conflict, match="already enrolled"):
        training.enrol(course_id=course["id"], participant_id="T-0001", school_id="S-002",
                       role="teacher", enrolled_on="2024-09-02")
    with pytest.raises(NotFound):
        training.get_enrolment(id=course["id"])
    assert stored_count(training) == before


def enrol_with_two_sessions(training, participant_id):
    """Schedule the course (idempotent), enrol, and attend the 20 hours completion needs."""
    course = training.schedule_course(**COURSE)
    enrolment = training.enrol(course_id=course["id"], participant_id=participant_id,
                               school_id="S-001", role="teacher", enrolled_on="2024-09-02")
    for week in ("w1", "w2"):
        training.record_attendance(enrolment_id=enrolment["id"], session_id=week,
                                   attended_on="2024-09-03", hours="10.0")
    return enrolment


def test_resending_the_same_commands_is_harmless(training):
    for _ in range(3):
        enrolment = enrol_with_two_sessions(training, "T-0001")
        training.complete(enrolment_id=enrolment["id"], completed_on="2024-09-04")
    assert stored_count(training) == 5
    assert training.summary(programme_id="baquatty-audan")["teachers_trained"] == 1


def test_completion_reaches_a_nameko_subscriber_as_a_public_contract(container_factory, config,
                                                                       training):
    received.clear()
    listener = container_factory(CompletionListener, config)
    listener.start()
    enrolment = enrol_with_two_sessions(training, "T-0002")
    with entrypoint_waiter(listener, "on_completed", timeout=10):
        training.complete(enrolment_id=enrolment["id"], completed_on=str(date(2024, 9, 4)))
    (envelope,) = received
    assert envelope["type"] == "TrainingCompleted"
    assert envelope["source"] == "/baqylau/training"
    assert envelope["notificationid"] == public_ids(training)[4]
    assert envelope["data"]["participant_id"] == "T-0002"
    assert envelope["data"]["attended_hours"] == "20.0"


def test_notifications_pages_the_log_and_validates_its_arguments(training):
    course = training.schedule_course(**COURSE)
    for n in range(5):
        training.enrol(course_id=course["id"], participant_id=f"T-{n}", school_id="S-001",
                       role="teacher", enrolled_on="2024-09-02")
    ids = public_ids(training)
    assert len(ids) == 6 and ids == list(range(ids[0], ids[0] + 6))
    page = training.notifications(after=ids[1], limit=2)
    assert [item["notificationid"] for item in page["items"]] == ids[2:4]
    assert (page["next_after"], page["last_notification_id"]) == (ids[3], ids[5])
    with pytest.raises(InvalidInput, match="limit"):
        training.notifications(after=0, limit=100000)


def test_health_readiness_and_metrics_endpoints(training, web):
    training.schedule_course(**COURSE)
    with pytest.raises(InvalidInput):
        training.schedule_course(**{**COURSE, "format": "?"})
    assert requests.get(f"{web}/healthz", timeout=5).json()["status"] == "ok"
    ready = requests.get(f"{web}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "broker": "ok"}
    text = requests.get(f"{web}/metrics", timeout=5).text
    assert ('baqylau_rpc_calls_total{method="schedule_course",outcome="invalid_input",'
            'service="training"}') in text
    assert 'baqylau_events_stored_total{service="training"}' in text
    assert "baqylau_relay_lag_events" in text
