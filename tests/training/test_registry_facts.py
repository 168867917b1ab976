"""Every training fact names things that exist, where they belong: programmes and schools
as the registry announced them, over the real RabbitMQ and PostgreSQL. A school that joined
a moment ago is learnt on the miss; one still unknown is refused naming the field; a silent
registry is Unavailable, and nothing is stored."""

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.training.service import TrainingService
from shared.errors import DomainRuleViolated, NotFound, Unavailable
from tests.shared.consumers import queues_missing, subscription_queues
from tests.training.registry import launch
from tests.training.test_service import COURSE, stored_count

pytestmark = pytest.mark.integration

URALSK, AKTOBE = "uralsk-accelerator", "aktobe-small-schools"
ACADEMY = {**COURSE, "programme_id": URALSK, "code": "URL-UU"}
TEACHER = dict(participant_id="T-0001", role="teacher", enrolled_on="2024-09-02")


@pytest.fixture
def two_regions(registry):
    launch(registry, URALSK, ["URL-SCH-01", "URL-SCH-02"], region="27")
    launch(registry, AKTOBE, ["AKT-001"], region="15")
    return registry


def test_refuses_enrolment_of_unknown_school(training):
    course = training.schedule_course(**COURSE)
    with pytest.raises(DomainRuleViolated) as caught:
        training.enrol(course_id=course["id"], school_id="NOT-A-REAL-SCHOOL", **TEACHER)
    assert list(caught.value.errors) == ["school_id"]
    assert "not known to training" in str(caught.value)
    assert "send again after catch-up" in caught.value.errors["school_id"][0]
    assert stored_count(training) == 1  # the course only


def test_refuses_a_teacher_of_a_school_of_another_programme(two_regions, training):
    course = training.schedule_course(**ACADEMY)
    with pytest.raises(DomainRuleViolated) as caught:
        training.enrol(course_id=course["id"], school_id="AKT-001", **TEACHER)
    assert f"programme {URALSK}" in caught.value.errors["school_id"][0]
    enrolled = training.enrol(course_id=course["id"], school_id="URL-SCH-01", **TEACHER)
    assert enrolled["school_id"] == "URL-SCH-01"


def test_refuses_a_course_trainer_practice_or_category_naming_what_does_not_belong(
        two_regions, training):
    with pytest.raises(NotFound) as caught:
        training.schedule_course(**{**COURSE, "programme_id": "NO-SUCH-PROGRAMME"})
    assert list(caught.value.errors) == ["programme_id"]
    with pytest.raises(DomainRuleViolated, match="AKT-001") as caught:
        training.certify_trainer(person_id="TR-1", programme_id=URALSK, school_id="AKT-001",
                                 subjects=["math"], certified_on="2024-06-01")
    assert list(caught.value.errors) == ["school_id"]
    with pytest.raises(NotFound) as caught:
        training.publish_practice(programme_id="NO-SUCH-PROGRAMME", school_id="URL-SCH-01",
                                  code="ECO", direction="Экология", title="Жылыжай",
                                  published_on="2024-10-01")
    assert list(caught.value.errors) == ["programme_id"]
    practice = training.publish_practice(programme_id=URALSK, school_id="URL-SCH-01",
                                         code="ECO", direction="Экология", title="Жылыжай",
                                         published_on="2024-10-01")
    with pytest.raises(DomainRuleViolated) as caught:
        training.adopt_practice(practice_id=practice["id"], school_id="AKT-001",
                                adopted_on="2024-11-01")
    assert list(caught.value.errors) == ["school_id"]
    with pytest.raises(DomainRuleViolated) as caught:
        training.attest_category(teacher_id="T-1", category="педагог-модератор",
                                 attested_on="2024-11-01", school_id="AKT-001",
                                 programme_id=URALSK)
    assert list(caught.value.errors) == ["school_id"]
    # Without a programme, a category is the teacher's own, at a school the registry has.
    with pytest.raises(DomainRuleViolated) as caught:
        training.attest_category(teacher_id="T-1", category="педагог-модератор",
                                 attested_on="2024-11-01", school_id="NO-SUCH-SCHOOL")
    assert list(caught.value.errors) == ["school_id"]
    training.attest_category(teacher_id="T-1", category="педагог-модератор",
                             attested_on="2024-11-01", school_id="AKT-001")
    assert stored_count(training) == 2  # the practice and the category


def test_bulk_rows_naming_unknown_or_foreign_schools_are_rejected_and_the_others_recorded(
        two_regions, training):
    training.schedule_course(**ACADEMY)

    def row(participant, school, hours="22"):
        return {"participant_id": participant, "school_id": school, "role": "teacher",
                "enrolled_on": "2024-09-02", "completed_on": "2024-10-10",
                "sessions": [{"session_id": "academy-total", "attended_on": "2024-10-10",
                              "hours": hours}]}

    reply = training.record_training(programme_id=URALSK, course_code="URL-UU", rows=[
        row("T-1", "URL-SCH-01"), row("T-2", "NO-SUCH-SCHOOL"), row("T-3", "AKT-001"),
        row("T-4", "URL-SCH-02", hours="0"), row("T-5", "URL-SCH-02")])
    assert reply["counts"] == {"recorded": 2, "rejected": 3}
    errors = {line["row"]: line["errors"] for line in reply["rejected"]}
    assert set(errors[2]) == set(errors[3]) == {"school_id"}
    assert errors[4]["sessions"]["0"]["hours"]  # at least 0.5, the template's rule
    assert training.summary(programme_id=URALSK)["teachers_trained"] == 2


def test_a_school_that_joined_moments_ago_is_learnt_on_the_miss(registry, training, config):
    course = training.schedule_course(**COURSE)
    queues = subscription_queues("training", {"on_joined_programme":
                                              "OrganisationJoinedProgramme"})
    with queues_missing(config["AMQP_URI"], "registry", queues):
        launch(registry, "baquatty-audan", ["S-NEW"])  # training never hears of it live
    enrolled = training.enrol(course_id=course["id"], school_id="S-NEW", **TEACHER)
    assert enrolled["school_id"] == "S-NEW"


def test_summary_and_find_course_answer_not_found_for_what_does_not_exist(training):
    with pytest.raises(NotFound) as caught:
        training.summary(programme_id="NO-SUCH-PROGRAMME")
    assert list(caught.value.errors) == ["programme_id"]
    course = training.schedule_course(**COURSE)
    found = training.find_course(programme_id=COURSE["programme_id"], code=COURSE["code"])
    assert found["id"] == course["id"]
    with pytest.raises(NotFound) as caught:
        training.find_course(programme_id=COURSE["programme_id"], code="NO-SUCH-COURSE")
    assert list(caught.value.errors) == ["code"]
    with pytest.raises(NotFound) as caught:
        training.find_course(programme_id="NO-SUCH-PROGRAMME", code=COURSE["code"])
    assert list(caught.value.errors) == ["programme_id"]


def test_a_silent_registry_is_unavailable_and_nothing_is_stored(container_factory, config):
    # No registry at all: the miss's catch-up cannot be answered.
    container_factory(TrainingService, config).start()
    with ServiceRpcProxy("training", config) as training:
        with pytest.raises(Unavailable, match="registry did not answer"):
            training.schedule_course(**COURSE)
        assert stored_count(training) == 0
