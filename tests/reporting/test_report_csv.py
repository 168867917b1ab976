"""The report as CSV is one table a spreadsheet opens without surprise: one header, every row
as wide, each figure of the report a row named in the asked language."""

import copy
import csv
import io

import pytest

from services.reporting.api.render.csv import report_csv
from services.reporting.figures import catalogue, places, reports
from tests.reporting import aktobe_like
from tests.reporting.stream import P

pytestmark = pytest.mark.integration
HEADER = ["section", "figure", "label", "breakdown", "breakdown_label", "measure", "value",
          "unit"]


@pytest.fixture(scope="module")
def report(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        return reports.programme_report(cur, P, schema)


def table(report, lang="kk"):
    rows = list(csv.reader(io.StringIO(report_csv(report, lang))))
    return rows[0], [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def value(rows, section, figure, measure, breakdown=""):
    [found] = [r for r in rows if (r["section"], r["figure"], r["measure"], r["breakdown"])
               == (section, figure, measure, breakdown)]
    return found


def test_the_report_csv_is_one_table_with_one_header_and_rows_of_equal_width(report):
    text = report_csv(report, "ru")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert HEADER not in rows[1:] and all(len(row) == len(HEADER) for row in rows)
    assert {row[0] for row in rows[1:]} >= {"indicators", "money", "spending",
                                            "learning_outcomes"}


def test_each_indicator_is_a_row_per_number_with_baseline_target_and_share(report):
    _, rows = table(report, "en")
    share = "teachers_with_category_share"
    assert [(m, value(rows, "indicators", share, m)["value"]) for m in (
        "baseline", "target", "actual", "numerator", "denominator", "share_reached")] == [
        ("baseline", "25"), ("target", "80"), ("actual", "50.0"), ("numerator", "2"),
        ("denominator", "4"), ("share_reached", "0.625")]
    actual = value(rows, "indicators", share, "actual")
    assert (actual["label"], actual["unit"]) == (catalogue.label(share, "en"), "percent")
    trained = value(rows, "indicators", "teachers_trained", "actual")
    assert (trained["value"], trained["unit"]) == ("2", "count")
    assert value(rows, "indicators", "teachers_trained", "period_end")["value"] == "2024-12-31"


def test_money_is_a_row_per_total_per_commitment_and_per_category(report):
    _, rows = table(report, "ru")
    assert [value(rows, "money", "money", m)["value"] for m in (
        "committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt",
        "remaining_kzt")] == ["3000000", "2500000", "2000000", "400000", "2400000", "600000"]
    line = value(rows, "money", "money", "disbursed_kzt", "commitment:QH")
    assert (line["value"], line["unit"], line["breakdown_label"]) == (
        "2500000", "KZT", "Фонд (equipment)")
    seminars = value(rows, "spending", "spent_by_category", "spent_kzt", "category:seminars")
    assert (seminars["value"], seminars["breakdown_label"]) == ("400000", "Семинары")


def test_each_outcome_statistic_is_a_row_with_its_grade_split_and_subject_named(report):
    _, rows = table(report, "kk")
    outcome = next(o for o in report["learning_outcomes"] if o["split"] == "all")
    part = f"grade:6;split:all;rounds:{outcome['baseline_round_id']}/END"
    mean = value(rows, "learning_outcomes", "math", "baseline_mean", part)
    assert (mean["value"], mean["unit"], mean["label"]) == (
        outcome["baseline"]["mean"], "score", "Математика")
    assert mean["breakdown_label"] == "6-сынып, барлық мектептер"
    assert value(rows, "learning_outcomes", "math", "endline_pupils", part)["value"] == str(
        outcome["endline"]["pupils"])
    gain = value(rows, "learning_outcomes", "math", "gain", part)
    assert (gain["value"], gain["unit"]) == (outcome["gain"], "score")
    assert outcome["gain_ci"] is None  # one school: no interval, an empty cell, not "None"
    assert value(rows, "learning_outcomes", "math", "gain_low", part)["value"] == ""
    assert value(rows, "learning_outcomes", "math", "effect_size_d", part)["unit"] == "sd"
    comparison = [r for r in rows if "split:comparison" in r["breakdown"]]
    assert comparison and comparison[0]["breakdown_label"].endswith("салыстыру тобы")


def test_cabinets_and_development_totals_are_rows_and_their_lists_are_not(report):
    shaped = copy.deepcopy(report)
    shaped["cabinets"] = {"internet_need_mbps": "10", "commissioned": 155, "working": 153,
                          "faults_open": 2, "days_to_resolve_median": "2.0",
                          "internet_mbps_median": None, "schools": [{"organisation_id": "S0"}]}
    shaped["development"] = {"strategies_adopted": 3, "memoranda": 1, "organisations": []}
    _, rows = table(shaped, "en")
    assert [(r["measure"], r["value"], r["unit"]) for r in rows if r["section"] == "cabinets"] == [
        ("internet_need_mbps", "10", "Mbps"), ("commissioned", "155", "count"),
        ("working", "153", "count"), ("faults_open", "2", "count"),
        ("days_to_resolve_median", "2.0", "days"), ("internet_mbps_median", "", "Mbps")]
    assert [(r["measure"], r["value"]) for r in rows if r["section"] == "development"] == [
        ("strategies_adopted", "3"), ("memoranda", "1")]


def test_a_name_that_looks_like_a_formula_stays_text(report):
    hostile = copy.deepcopy(report)
    hostile["money"]["commitments"][0]["funder_name_en"] = '=HYPERLINK("http://x","y")'
    _, rows = table(hostile, "en")
    line = value(rows, "money", "money", "committed_kzt", "commitment:QH")
    assert line["breakdown_label"].startswith("'=HYPERLINK")


@pytest.mark.parametrize("lang", places.LANGUAGES)
def test_a_district_the_classifier_lacks_is_said_as_everywhere_else_with_its_code(lang):
    report = aktobe_like.report()
    for outcome in report["learning_outcomes"]:
        outcome["baseline_round_id"] = "AKT-2023-24-BASELINE"  # the API's report has it
    _, rows = table(report, lang)
    unnamed = {r["breakdown_label"].split(", ", 1)[1] for r in rows
               if ";split:district:1540;" in r["breakdown"]}
    assert unnamed == {places.unnamed("district", lang, "1540")}
    alga = {r["breakdown_label"].split(", ", 1)[1] for r in rows
            if ";split:district:1522;" in r["breakdown"]}
    assert alga == {{"kk": "Алға ауданы", "ru": "Алгинский район", "en": "Alga district"}[lang]}
