"""What a funder reads beside each figure: where each commitment's money went and what the
implementer still holds, how far a percentage moved from its baseline, an outcome's scale
and threshold; carried by the JSON report (dumped through its schemas), the OpenAPI
document and the workbook, numbers as numbers."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest

from services.reporting.api import openapi, schemas
from services.reporting.api.render import xlsx
from services.reporting.figures import behind, reports
from services.reporting.figures.catalogue import percentage
from services.reporting.figures.reports import (
    _progress_from_baseline,
    _share,
    programme_report,
)
from tests.reporting import stream as main_stream
from tests.reporting.working_stream import P, applied, stream

COMMITMENTS = {  # committed, disbursed, spent, held by the implementer, spent by category
    "AK": (1_000_000, 0, 50_000, -50_000, {"materials": 50_000}),
    "QH": (6_000_000, 5_000_000, 4_525_000, 475_000, {"seminars": 425_000, "travel": 100_000}),
}


@pytest.fixture(scope="module")
def working(tmp_path_factory):
    return stream(tmp_path_factory.mktemp("money"))


@pytest.fixture(scope="module")
def report(database, working):
    schema = applied(database, working, seed=21)
    with database, database.cursor() as cur:
        return (programme_report(cur, P, schema), reports.districts(cur, P, schema),
                reports.organisations(cur, P, schema))


def test_progress_from_baseline_is_the_way_from_baseline_to_target():
    assert _progress_from_baseline(Decimal("70.0"), Decimal(60), Decimal(75)) == "0.667"
    assert _progress_from_baseline(55, Decimal(60), Decimal(75)) == "-0.333"
    assert _progress_from_baseline(Decimal("70.0"), Decimal(75), Decimal(75)) is None
    assert _progress_from_baseline(None, Decimal(60), Decimal(75)) is None


def test_a_share_below_the_target_never_reads_as_reached_nor_one_above_nothing_as_none():
    target = Decimal(10_500)
    assert _share(10_499, target) == "0.999"
    assert _share(1, target) == "0.001"
    assert _share(Decimal("99.9"), Decimal(100)) == "0.999"
    assert (_share(10_500, target), _share(0, target)) == ("1.000", "0.000")
    assert _progress_from_baseline(Decimal("74.99"), Decimal(60), Decimal(75)) == "0.999"
    assert _progress_from_baseline(Decimal("60.01"), Decimal(60), Decimal(75)) == "0.001"
    assert _progress_from_baseline(Decimal("59.99"), Decimal(60), Decimal(75)) == "-0.001"
    # A target below its baseline (fewer dropouts): the way goes down.
    assert _progress_from_baseline(Decimal("10.01"), Decimal(20), Decimal(10)) == "0.999"
    assert percentage(10_499, 10_500) == Decimal("99.9")
    assert percentage(1, 10_500) == Decimal("0.1")


@pytest.mark.integration
def test_each_commitment_says_where_its_money_went_and_what_is_still_held(report):
    money = report[0]["money"]
    lines = {c["commitment_id"]: (c["committed_kzt"], c["disbursed_kzt"], c["spent_kzt"],
                                  c["held_by_implementer_kzt"], c["spent_by_category"])
             for c in money["commitments"]}
    assert lines == COMMITMENTS
    assert money["held_by_implementer_kzt"] == 425_000
    assert money["spent_by_category"] == {"materials": 50_000, "seminars": 425_000,
                                          "travel": 100_000}


@pytest.mark.integration
def test_the_money_behind_a_figure_is_the_money_the_report_counts_before_a_commitment_arrives(
        database, working):
    """Catching up: QH's spending has arrived, its commitment not yet. The report counts
    only spending charged to commitments it has; so do the events behind each figure."""
    waiting = [e for e in working if not (e.type == "FundingCommitted"
                                          and e.data["commitment_id"] == "QH")]
    schema = applied(database, waiting)
    with database, database.cursor() as cur:
        money = reports.money(cur, P, schema)
        behind_each = {figure: behind.page(cur, schema, P, figure, 0, 1000)
                       for figure in behind.MONEY}
    assert [line["commitment_id"] for line in money["commitments"]] == ["AK"]
    assert {figure: page["figure"] for figure, page in behind_each.items()} == {
        figure: money[figure] for figure in behind.MONEY}
    assert money["spent_by_category"] == {"materials": 50_000}
    assert {e["fields"]["commitment_id"] for e in behind_each["spent_kzt"]["events"]} == {"AK"}


@pytest.mark.integration
def test_indicators_say_their_progress_from_baseline_and_outcomes_their_scale(database,
                                                                               in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        report = programme_report(cur, main_stream.P, schema)
    progress = {i["indicator"]: i["progress_from_baseline"] for i in report["indicators"]}
    # 2 of 3 cabinets from 0; the share 50.0 % from a baseline of 25 to a target of 80.
    assert progress == {"cabinets_commissioned": "0.667", "teachers_trained": "1.000",
                        "teachers_with_category_share": "0.455"}
    assert report["learning_outcomes"]
    assert {(o["max_score"], o["threshold"]) for o in report["learning_outcomes"]} == {(40, 20)}


@pytest.mark.integration
def test_the_json_report_carries_every_new_part(report, database, in_order):
    body = json.loads(json.dumps(schemas.ProgrammeReport().dump(report[0])))
    assert body["cabinets"]["internet_need_mbps"] == "10"
    assert body["cabinets"]["schools"][0]["organisation_id"] == "S1"
    assert body["development"]["organisations"][0]["strategy"]["adopted_on"] == "2025-01-10"
    assert {c["commitment_id"]: c["held_by_implementer_kzt"]
            for c in body["money"]["commitments"]} == {"AK": -50_000, "QH": 475_000}
    assert body["money"]["commitments"][1]["spent_by_category"]["travel"] == 100_000
    assert body["money"]["held_by_implementer_kzt"] == 425_000
    _, schema = in_order
    with database, database.cursor() as cur:
        aktobe = schemas.ProgrammeReport().dump(programme_report(cur, main_stream.P, schema))
    assert all("progress_from_baseline" in i for i in aktobe["indicators"])
    assert aktobe["learning_outcomes"][0]["max_score"] == 40


def test_the_openapi_document_declares_the_new_sections():
    components = openapi.document()["components"]["schemas"]
    report = components["ProgrammeReport"]["properties"]
    assert {"cabinets", "development"} <= set(report)
    assert "schools_below_need" in components["Cabinets"]["properties"]
    assert {"held_by_implementer_kzt", "spent_by_category"} <= set(
        components["CommitmentLine"]["properties"])


@pytest.mark.integration
def test_the_workbook_has_the_cabinets_the_development_and_spending_per_commitment(report):
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook(*report)))
    assert {"Cabinets", "Cabinets in total", "Development",
            "Spending by commitment"} <= set(book.sheetnames)
    [header, *schools] = list(book["Cabinets"].iter_rows(values_only=True))
    speeds = {row[0]: row[header.index("internet_mbps")] for row in schools}
    assert speeds == {"S1": 25, "S2": None, "S0": 8.4}  # numbers, not text
    assert [row[header.index("below_internet_need")] for row in schools] == [
        False, None, True]
    assert list(book["Spending by commitment"].iter_rows(min_row=2, values_only=True)) == [
        ("AK", "qh", "materials", 50_000), ("QH", "qh", "seminars", 425_000),
        ("QH", "qh", "travel", 100_000)]
    [header, *facts] = list(book["Development"].iter_rows(values_only=True))
    assert [(row[0], row[header.index("fact")], row[header.index("id")]) for row in facts] == [
        ("S0", "strategy", "ST-2"), ("S0", "project", "PR-1"), ("S1", "partner", "M-1"),
        ("S1", "partner", "M-2"), ("S2", "partner", "M-3")]
    [totals_header, totals] = list(book["Cabinets in total"].iter_rows(values_only=True))
    assert dict(zip(totals_header, totals, strict=True))["internet_mbps_median"] == 12


@pytest.mark.integration
def test_a_programme_without_development_facts_has_no_development_sheet(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        document = xlsx.workbook(programme_report(cur, main_stream.P, schema), [], [])
    names = openpyxl.load_workbook(io.BytesIO(document)).sheetnames
    assert "Cabinets" in names and "Development" not in names
