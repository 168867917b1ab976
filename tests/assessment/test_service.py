"""Assessment and registry in nameko containers over the real RabbitMQ and PostgreSQL:
bulk import, idempotent re-import, closing and corrections, and no raw pupil id anywhere."""

import logging
import time
from types import SimpleNamespace

import kombu
import psycopg2
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from cli.importers.scores import import_rows, read_rows
from scripts.seed_assessment import BASELINE, ENDLINE
from services.assessment.service import AssessmentService
from services.registry.service import RegistryService
from shared.errors import NotFound
from shared.publisher import events_exchange
from tests.conftest import config_for, dsn_of
from tests.shared.consumers import queues_missing, subscription_queues
from tests.training.registry import bin_of

pytestmark = pytest.mark.integration

ROUND = BASELINE["round_id"]
COLUMNS = ["school_id", "pupil_name", "pupil_id", "grade", "subject", "score"]


@pytest.fixture
def stores(pg_databases):
    return SimpleNamespace(registry=pg_databases(), assessment=pg_databases())


@pytest.fixture
def services(container_factory, rabbit_config, stores):
    assessment_config = config_for(rabbit_config, stores.assessment,
                                   PSEUDONYM_KEY="integration-test-pseudonym-key")
    container_factory(AssessmentService, assessment_config).start()
    registry_config = config_for(rabbit_config, stores.registry)
    container_factory(RegistryService, registry_config).start()
    with ServiceRpcProxy("registry", registry_config) as registry, \
            ServiceRpcProxy("assessment", assessment_config) as assessment:
        launch(registry)
        assessment.catch_up_registry()
        assessment.open_round(**BASELINE)
        yield SimpleNamespace(registry=registry, assessment=assessment)


@pytest.fixture
def broker_tap(rabbit_config):
    """Every message the assessment service publishes, as raw bytes."""
    with kombu.Connection(rabbit_config["AMQP_URI"]) as connection:
        queue = kombu.Queue("tap", events_exchange("assessment"), routing_key="#",
                            exclusive=True)
        bodies = []
        with connection.Consumer(queue, callbacks=[lambda body, m: bodies.append(m.body)],
                                 accept=["json"]):
            def drain(seconds=2.0):
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    try:
                        connection.drain_events(timeout=0.2)
                    except TimeoutError:
                        continue
                return b"".join(b if isinstance(b, bytes) else b.encode() for b in bodies)
            yield drain


def launch(registry):
    registry.register_funder(funder_id="qh", name_kk="Қор", name_ru="Фонд",
                             organisation_type="60")
    registry.launch_programme(programme_id=BASELINE["programme_id"], name_kk="Пилот",
                              name_ru="Пилот", regions=["15"], start="2023-01-01",
                              end="2024-12-31", models=["digital_solutions"])
    registry.register_organisation(
        organisation_id="AKT-001", bin="940140000385", kind="school", name_kk="№1 мектеп",
        name_ru="Школа №1", kato="153220100", school_year="2023-2024", locality="rural",
        small_class=True, pupils=60, teachers=9)
    registry.join_programme(programme_id=BASELINE["programme_id"], organisation_id="AKT-001",
                            model="digital_solutions", joined_on="2023-02-01")


def write_csv(path, rows):
    lines = [",".join(COLUMNS)] + [",".join(str(r.get(c, "")) for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_rows(n=30):
    return [dict(school_id="AKT-001", pupil_name="Айгерим Нұрланқызы",
                 pupil_id=f"EJ-AKT-001-06{i:03d}", grade=6, subject="math", score=10 + i % 30)
            for i in range(n)]


def test_imports_a_file_reporting_bad_rows_and_counts_each_score_once(services, tmp_path):
    bad = [
        dict(school_id="AKT-001", pupil_id="EJ-BAD-1", grade=6, subject="math", score=41),
        dict(school_id="AKT-001", pupil_id="EJ-BAD-2", grade=7, subject="math", score=10),
        dict(school_id="URL-SCH-01", pupil_id="EJ-BAD-3", grade=6, subject="math", score=10),
        dict(school_id="AKT-001", pupil_id="EJ-BAD-4", grade=6, subject="math", score="ten"),
        dict(school_id="AKT-001", pupil_id="", grade=6, subject="math", score=10),
        dict(school_id="", pupil_id="EJ-BAD-6", grade=6, subject="math", score=10),
    ]
    path = write_csv(tmp_path / "ejournal.csv", good_rows() + bad)
    rows, ignored = read_rows(path)
    assert ignored == ["pupil_name"]  # names in the export are never sent
    report = import_rows(services.assessment, ROUND, rows)
    assert report.counts == {"recorded": 30, "rejected": 6}
    assert sorted((row, name) for row, name, _ in report.problems()) == [
        (32, "score"), (33, "grade"), (34, "school_id"), (35, "score"), (36, "pupil_id"),
        (37, "school_id")]
    again = import_rows(services.assessment, ROUND, read_rows(path)[0])
    assert again.counts == {"unchanged": 30, "rejected": 6}
    summary = services.assessment.round_summary(round_id=ROUND)
    assert summary["scores"] == 30


def test_no_raw_pupil_id_in_the_event_store_the_broker_or_the_logs(services, stores,
                                                                    broker_tap, caplog):
    caplog.set_level(logging.DEBUG)
    rows = [{"row": n, "pupil_id": r["pupil_id"], "grade": 6, "subject": "math",
             "score": r["score"]} for n, r in enumerate(good_rows(5), start=2)]
    rows.append({"row": 7, "pupil_id": "EJ-AKT-001-06999", "grade": 6, "subject": "math",
                 "score": 99})  # rejected: its id must not leak through the report either
    reply = services.assessment.record_scores(round_id=ROUND, school_id="AKT-001",
                                              scores=rows)
    assert reply["counts"] == {"recorded": 5, "rejected": 1}
    services.assessment.correct_score(round_id=ROUND, school_id="AKT-001", grade=6,
                                      pupil_id="EJ-AKT-001-06001", subject="math", score=12,
                                      reason="marking error")
    published = broker_tap()
    assert b"ScoresRecorded" in published and b"ScoreCorrected" in published
    with psycopg2.connect(dsn_of(stores.assessment)) as conn, conn.cursor() as cur:
        cur.execute("SELECT state FROM assessment_events")
        stored = b"".join(bytes(state) for (state,) in cur.fetchall())
    reference = services.assessment.pupil_reference(pupil_id="EJ-AKT-001-06001")["pupil_ref"]
    assert reference.encode() in stored and reference.encode() in published
    for raw in [r["pupil_id"] for r in rows]:
        assert raw.encode() not in stored
        assert raw.encode() not in published
        assert raw not in caplog.text
        assert raw not in str(reply)


def test_closing_stops_new_scores_but_not_corrections(services):
    rows = [{"row": 2, "pupil_id": "EJ-1", "grade": 6, "subject": "math", "score": 25}]
    services.assessment.record_scores(round_id=ROUND, school_id="AKT-001", scores=rows)
    services.assessment.close_round(round_id=ROUND, closed_on="2023-10-20")
    late = [{"row": 3, "pupil_id": "EJ-2", "grade": 6, "subject": "math", "score": 25}]
    reply = services.assessment.record_scores(round_id=ROUND, school_id="AKT-001",
                                              scores=rows + late)
    assert reply["counts"] == {"unchanged": 1, "rejected": 1}
    assert [(line["row"], list(line["errors"])) for line in reply["rejected"]] == [
        (3, ["round_id"])]
    services.assessment.correct_score(round_id=ROUND, school_id="AKT-001", grade=6,
                                      pupil_id="EJ-1", subject="math", score=19,
                                      reason="re-marked after appeal")
    cell = services.assessment.round_summary(round_id=ROUND)["by_grade_and_subject"][0]
    assert (cell["mean"], cell["share_at_or_above_threshold"]) == ("19.000", "0.000")
    with pytest.raises(NotFound):
        services.assessment.round_summary(round_id=ENDLINE["round_id"])


def test_a_school_that_joined_moments_ago_is_learnt_on_the_miss_and_a_stranger_refused(
        services, rabbit_config):
    registry, assessment = services.registry, services.assessment
    registry.register_organisation(
        organisation_id="AKT-002", bin=bin_of("AKT-002"), kind="school", name_kk="№2 мектеп",
        name_ru="Школа №2", kato="153220100", school_year="2023-2024", locality="rural",
        small_class=True, pupils=40, teachers=6)
    queues = subscription_queues("assessment", {"on_joined_programme":
                                                "OrganisationJoinedProgramme"})
    with queues_missing(rabbit_config["AMQP_URI"], "registry", queues):
        registry.join_programme(programme_id=BASELINE["programme_id"],
                                organisation_id="AKT-002", model="digital_solutions",
                                joined_on="2023-02-01")  # assessment never hears of it live
    score = dict(row=2, pupil_id="EJ-AKT-002-001", grade=6, subject="math", score=20)
    learnt = assessment.record_scores(round_id=ROUND, school_id="AKT-002", scores=[score])
    assert learnt["counts"] == {"recorded": 1}, learnt
    stranger = assessment.record_scores(round_id=ROUND, school_id="NO-SUCH-SCHOOL",
                                        scores=[score])
    assert list(stranger["rejected"][0]["errors"]) == ["school_id"]
