"""The assessment Application on SQLite and PostgreSQL: rounds, bulk scores, corrections."""

from datetime import date

import pytest
from marshmallow import ValidationError

from services.assessment import domain
from services.assessment.app import SNAPSHOT_EVERY, AssessmentApplication
from services.assessment.contracts import CONTRACTS
from services.assessment.pseudonyms import Pseudonymiser
from services.assessment.schemas import OpenRound
from services.assessment.tally import AssessmentTally
from shared.config import event_store_env
from shared.contracts import REGISTRY
from shared.errors import Conflict, DomainRuleViolated, NotFound

SUBJECTS = {"math": {"max_score": 40, "threshold": 20},
            "kazakh_language": {"max_score": 30, "threshold": 15}}
PSEUDONYMS = Pseudonymiser("a-test-key-of-enough-length")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def app(request):
    store = request.getfixturevalue("sqlite_store" if request.param == "sqlite"
                                    else "pg_database")
    application = AssessmentApplication(env=event_store_env({"EVENT_STORE": store}))
    application.record_school_joined("aktobe", "AKT-001")
    application.open_round("AKT-BASE", programme_id="aktobe", school_year="2023-2024",
                           phase="baseline", grades=[6, 8, 10], subjects=SUBJECTS,
                           opened_on=date(2023, 9, 15), baseline_round_id=None)
    yield application
    application.close()


def entries(*scores):
    return [{"row": n, "pupil_ref": PSEUDONYMS.reference(pupil), "grade": grade,
             "subject": subject, "score": score}
            for n, (pupil, grade, subject, score) in enumerate(scores, start=2)]


def outcomes(report):
    return [(line["row"], line["outcome"], sorted(line.get("errors", {}))) for line in report]


def test_records_a_batch_in_one_event_per_grade_sheet(app):
    before = app.last_notification_id()
    report = app.record_scores("AKT-BASE", "AKT-001", entries(
        ("P1", 6, "math", 31), ("P1", 6, "kazakh_language", 20), ("P2", 8, "math", 12)))
    assert [o for _, o, _ in outcomes(report)] == ["recorded"] * 3
    # two sheets (grades 6 and 8): started and scores recorded each, in one transaction
    assert app.last_notification_id() - before == 4


def test_rejects_bad_rows_and_keeps_the_good_ones(app):
    report = app.record_scores("AKT-BASE", "AKT-001", entries(
        ("P1", 6, "math", 41), ("P2", 7, "math", 10), ("P3", 6, "physics", 10),
        ("P4", 6, "math", 40)))
    assert outcomes(report) == [(2, "rejected", ["score"]), (3, "rejected", ["grade"]),
                                (4, "rejected", ["subject"]), (5, "recorded", [])]
    assert "Above the maximum of 40" in report[0]["errors"]["score"][0]


def test_recording_the_same_scores_twice_counts_each_once(app):
    batch = entries(("P1", 6, "math", 31), ("P2", 6, "math", 18))
    app.record_scores("AKT-BASE", "AKT-001", batch)
    stored = app.last_notification_id()
    again = app.record_scores("AKT-BASE", "AKT-001", batch)
    assert [o for _, o, _ in outcomes(again)] == ["unchanged", "unchanged"]
    assert app.last_notification_id() == stored
    different = app.record_scores("AKT-BASE", "AKT-001", entries(("P1", 6, "math", 30)))
    assert "correct it with a reason" in different[0]["errors"]["score"][0]
    summary = AssessmentTally(app).summary("AKT-BASE")
    assert summary["scores"] == 2


def test_refuses_scores_of_a_school_outside_the_programme(app):
    report = app.record_scores("AKT-BASE", "URL-SCH-01", entries(("P1", 6, "math", 31)))
    assert report[0]["errors"] == {"school_id": [
        "Not a school of programme aktobe nor a comparison school of the round."]}


def test_a_round_takes_scores_of_the_comparison_schools_it_names(app):
    app.open_round("AKT-CMP", programme_id="aktobe", school_year="2023-2024",
                   phase="baseline", grades=[6], subjects=SUBJECTS,
                   opened_on=date(2023, 9, 15), baseline_round_id=None,
                   comparison_school_ids=["AKT-900"])
    report = app.record_scores("AKT-CMP", "AKT-900", entries(("P9", 6, "math", 18)))
    assert outcomes(report) == [(2, "recorded", [])]
    opened = [e for n in app.select_after(0, 100) if (e := CONTRACTS.envelope(app, n))
              and e.type == "AssessmentRoundOpened" and e.data["round_id"] == "AKT-CMP"]
    assert opened[0].schemaversion == 2
    assert opened[0].data["comparison_school_ids"] == ["AKT-900"]


def test_a_school_of_the_programme_cannot_be_its_comparison(app):
    with pytest.raises(DomainRuleViolated) as refused:
        app.open_round("AKT-CMP", programme_id="aktobe", school_year="2023-2024",
                       phase="baseline", grades=[6], subjects=SUBJECTS,
                       opened_on=date(2023, 9, 15), baseline_round_id=None,
                       comparison_school_ids=["AKT-001"])
    assert "comparison_school_ids" in refused.value.errors


def test_a_version_1_round_opened_is_read_as_one_without_comparison_schools():
    version, data = REGISTRY.upcast("AssessmentRoundOpened", 1, {"round_id": "R"})
    assert (version, data["comparison_school_ids"]) == (2, [])


def test_a_closed_round_takes_no_scores_but_takes_corrections(app):
    app.record_scores("AKT-BASE", "AKT-001", entries(("P1", 6, "math", 31)))
    app.close_round("AKT-BASE", date(2023, 10, 1))
    stored = app.last_notification_id()
    report = app.record_scores("AKT-BASE", "AKT-001", entries(
        ("P1", 6, "math", 31), ("P2", 6, "math", 31)))
    assert outcomes(report) == [(2, "unchanged", []), (3, "rejected", ["round_id"])]
    assert app.last_notification_id() == stored
    app.correct_score("AKT-BASE", "AKT-001", 6, PSEUDONYMS.reference("P1"), "math", 13,
                      "transcription error in the e-journal")
    summary = AssessmentTally(app).summary("AKT-BASE")
    assert summary["by_grade_and_subject"] == [
        {"grade": 6, "subject": "math", "scores": 1, "mean": "13.000",
         "share_at_or_above_threshold": "0.000"}]
    assert summary["corrections"] == 1
    with pytest.raises(NotFound):
        app.correct_score("AKT-BASE", "AKT-001", 8, "p-x", "math", 1, "typo")
    with pytest.raises(DomainRuleViolated, match="does not fit"):
        app.correct_score("AKT-BASE", "AKT-001", 6, PSEUDONYMS.reference("P1"), "math", 99,
                          "typo")


def test_an_endline_names_a_baseline_of_the_same_programme(app):
    endline = dict(programme_id="aktobe", school_year="2023-2024", phase="endline",
                   grades=[6, 8, 10], subjects=SUBJECTS, opened_on=date(2024, 5, 10),
                   baseline_round_id="AKT-BASE")
    assert app.open_round("AKT-END", **endline).baseline_round_id == "AKT-BASE"
    with pytest.raises(Conflict):
        app.open_round("AKT-END", **{**endline, "grades": [6]})
    with pytest.raises(DomainRuleViolated):
        app.open_round("OTHER-END", **{**endline, "programme_id": "uralsk"})


def test_rejects_a_round_opened_outside_its_school_year_naming_the_field(app):
    details = dict(programme_id="aktobe", school_year="2024-2025", phase="baseline",
                   grades=[6], subjects=SUBJECTS, baseline_round_id=None)
    for day in (date(2019, 9, 16), date(2024, 7, 31), date(2025, 8, 1)):
        with pytest.raises(DomainRuleViolated, match="outside school year") as refused:
            app.open_round("AKT-2019", opened_on=day, **details)
        assert "opened_on" in refused.value.errors
    assert app.find(domain.AssessmentRound.create_id("AKT-2019"), domain.AssessmentRound) is None
    assert app.open_round("AKT-2024", opened_on=date(2024, 8, 26), **details)


def test_rejects_an_endline_opened_before_its_baseline(app):
    with pytest.raises(DomainRuleViolated, match="before its baseline") as refused:
        app.open_round("AKT-END", programme_id="aktobe", school_year="2023-2024",
                       phase="endline", grades=[6], subjects=SUBJECTS,
                       opened_on=date(2023, 9, 1), baseline_round_id="AKT-BASE")
    assert "opened_on" in refused.value.errors


def test_a_long_sheet_is_loaded_from_a_snapshot(app):
    for n in range(SNAPSHOT_EVERY + 1):
        app.record_scores("AKT-BASE", "AKT-001", entries((f"P{n}", 10, "math", n % 40)))
    sheet_id = domain.ScoreSheet.create_id("AKT-BASE", "AKT-001", 10)
    snapshots = list(app.snapshots.get(sheet_id))  # type: ignore[union-attr]
    assert snapshots and snapshots[-1].originator_version == SNAPSHOT_EVERY
    assert len(app.repository.get(sheet_id).scores) == SNAPSHOT_EVERY + 1


def test_no_raw_pupil_id_is_stored(app):
    app.record_scores("AKT-BASE", "AKT-001", entries(("AKT-001-G6-0042", 6, "math", 31)))
    stored = b"".join(n.state for n in app.select_after(0, 1000))
    assert b"AKT-001-G6-0042" not in stored
    assert PSEUDONYMS.reference("AKT-001-G6-0042").encode() in stored


def test_the_same_pupil_gets_the_same_reference_and_the_key_matters():
    assert PSEUDONYMS.reference("P1") == Pseudonymiser("a-test-key-of-enough-length").reference(
        "P1")
    assert PSEUDONYMS.reference("P1") != Pseudonymiser("another-key-of-enough-len").reference(
        "P1")
    with pytest.raises(ValueError):
        Pseudonymiser("short")


def test_every_internal_assessment_event_is_in_the_contract_map():
    aggregates = [domain.AssessmentRound, domain.ScoreSheet, domain.ProgrammeSchool,
                  domain.ProgrammeSchools]
    event_classes = {value for aggregate in aggregates for name, value in vars(aggregate).items()
                     if isinstance(value, type) and issubclass(value, aggregate.Event)
                     and name not in ("Event", "Created")}
    assert event_classes == set(CONTRACTS.entries)
    published = {entry.contract.contract_type for entry in CONTRACTS.entries.values() if entry}
    assert published <= set(REGISTRY.types())


def test_a_round_naming_a_comparison_school_twice_is_refused_by_field():
    command = {"round_id": "R", "programme_id": "aktobe", "school_year": "2023-2024",
               "phase": "baseline", "grades": [6], "subjects": SUBJECTS,
               "opened_on": "2023-09-15", "comparison_school_ids": ["AKT-900", "AKT-900"]}
    with pytest.raises(ValidationError) as refused:
        OpenRound().load(command)
    assert refused.value.messages == {"comparison_school_ids": ["Must not repeat a school."]}
    assert OpenRound().load({**command, "comparison_school_ids": []})[
        "comparison_school_ids"] == []
    del command["comparison_school_ids"]
    assert OpenRound().load(command)["comparison_school_ids"] == []  # none, as before
