"""Districts by name: the classifier's names reach the drill-downs, the dashboard, the
exports and the IATI activity in the funder's language; a code it has not named is flagged,
null in JSON and, wherever a person reads it, a note that gives the code: never a bare code."""

import csv
import io
from xml.etree import ElementTree

import openpyxl
import pytest
import xmlschema

from services.reporting.api.render import districts, iati, xlsx
from services.reporting.api.render.csv import rows_csv
from services.reporting.figures import reconcile, reports
from services.reporting.figures.places import in_all_languages, in_language
from services.reporting.figures.places import unnamed as note
from services.reporting.ingest import projections
from tests.conftest import ROOT
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import P

pytestmark = pytest.mark.integration
ALGA = {"kk": "Алға ауданы", "ru": "Алгинский район", "en": "Alga district"}
AKTOBE = {"kk": "Ақтөбе облысы", "ru": "Актюбинская область", "en": "Aktobe Region"}


@pytest.fixture(scope="module")
def unnamed(database, events):
    """The same stream without the classifier's names: districts known by code only."""
    schema = fresh_schema(database)
    for envelope in events:
        if envelope.type != "PlaceNamed":
            projections.handle(database, envelope, schema)
    return schema


def drill(database, schema, level):
    with database, database.cursor() as cur:
        return getattr(reports, level)(cur, P, schema)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_drill_downs_name_the_district_in_the_asked_language(database, in_order, lang):
    _, schema = in_order
    (district,) = in_language(drill(database, schema, "districts"), lang)
    assert (district["district_code"], district["district_name"]) == ("1532", ALGA[lang])
    assert district["name_known"] is True and district["organisations"] == 2
    assert (district["region_code"], district["region_name"],
            district["region_name_known"]) == ("15", AKTOBE[lang], True)
    for line in in_language(drill(database, schema, "organisations"), lang):
        assert line["district_name"] == ALGA[lang] and line["name_known"]
        assert line["region_name"] == AKTOBE[lang] and line["region_name_known"]
    assert not any(key.endswith(("_kk", "_ru", "_en")) for key in district)  # one language


def test_the_newer_edition_of_a_name_wins_whatever_the_arrival_order(database, events):
    schema = fresh_schema(database)
    for envelope in reversed(events):
        projections.handle(database, envelope, schema)
    (district,) = in_language(drill(database, schema, "districts"), "ru")
    assert district["district_name"] == "Алгинский район"  # not the first edition's "р-н"


def test_a_code_the_classifier_has_not_named_is_null_in_json_and_a_note_where_read(
        database, unnamed):
    (district,) = in_language(drill(database, unnamed, "districts"), "kk")
    assert (district["district_name"], district["name_known"]) == (None, False)
    assert (district["region_name"], district["region_name_known"]) == (None, False)
    table = districts.section([district], "kk")
    assert 'data-name-known="false"' in table
    assert ">Ауданның аты классификаторда жоқ (код 1532)</td>" in table
    assert 'data-region-known="false"' in table
    assert ">Облыстың аты классификаторда жоқ (код 15)</td>" in table
    assert ">1532 ?</td>" not in table and ">1532</td>" not in table
    (exported,) = in_all_languages(drill(database, unnamed, "districts"), "en")
    assert exported["district_name"] == "District not in the classifier (code 1532)"
    assert [exported[f"district_name_{lang}"] for lang in ("kk", "ru", "en")] == [
        note("district", lang, "1532") for lang in ("kk", "ru", "en")]
    assert exported["region_name_ru"] == "Область отсутствует в классификаторе (код 15)"
    assert exported["name_known"] is False and exported["region_name_known"] is False


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_dashboards_district_table_reads_names_not_codes(database, in_order, lang):
    _, schema = in_order
    table = districts.section(in_language(drill(database, schema, "districts"), lang), lang)
    assert f">{ALGA[lang]}</td>" in table and ">1522</td>" not in table
    assert f">{AKTOBE[lang]}</td>" in table and " ?</td>" not in table
    assert 'data-figure="district:1532:pupils"' in table  # the figure keeps its code id


def test_csv_and_xlsx_carry_the_names_in_the_asked_language_then_in_all_three(
        database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        report = reports.programme_report(cur, P, schema)
    lines = {level: in_all_languages(drill(database, schema, level), "ru")
             for level in ("districts", "organisations")}
    (row,) = csv.DictReader(io.StringIO(rows_csv(lines["districts"])))
    assert (row["district_code"], row["district_name"], row["name_known"]) == (
        "1532", "Алгинский район", "True")
    assert (row["region_code"], row["region_name"], row["region_name_known"]) == (
        "15", "Актюбинская область", "True")
    for lang in ("kk", "ru", "en"):
        assert (row[f"district_name_{lang}"], row[f"region_name_{lang}"]) == (
            ALGA[lang], AKTOBE[lang])
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook(
        report, lines["districts"], lines["organisations"])))
    for title in ("Districts", "Organisations"):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        cell = {name: sheet.cell(2, header.index(name) + 1).value for name in header}
        assert (cell["district_name"], cell["district_name_en"], cell["region_name_kk"]) == (
            "Алгинский район", "Alga district", "Ақтөбе облысы"), title


def test_the_iati_activity_locates_the_programme_by_district_and_stays_valid(
        database, in_order, unnamed):
    iati_schema = xmlschema.XMLSchema(str(ROOT / "schemas/iati-2.03/iati-activities-schema.xsd"))
    _, schema = in_order
    for model, names in ((schema, ["Alga district", "Алға ауданы", "Алгинский район"]),
                         (unnamed, [note("district", lang, "1532")
                                    for lang in ("en", "kk", "ru")])):
        with database, database.cursor() as cur:
            document = iati.activity_xml(cur, P, model)
        iati_schema.validate(document.decode())
        (location,) = ElementTree.fromstring(document).find("iati-activity").iter("location")
        assert location.get("ref") == "KZ-KATO-153200000"
        assert [n.text for n in location.find("name")] == names
        described = [n.text for n in location.find("description")]
        if model == schema:  # the district in its region, in each language
            assert described == ["Alga district, Aktobe Region, Kazakhstan (KATO 153200000)",
                                 "Алға ауданы, Ақтөбе облысы, Қазақстан (KATO 153200000)",
                                 "Алгинский район, Актюбинская область, Казахстан"
                                 " (KATO 153200000)"]
        else:  # neither named: said so, in each language, with the codes
            assert described == [
                "District not in the classifier (code 1532), Region not in the classifier"
                " (code 15), Kazakhstan (KATO 153200000)",
                "Ауданның аты классификаторда жоқ (код 1532), Облыстың аты классификаторда"
                " жоқ (код 15), Қазақстан (KATO 153200000)",
                "Район отсутствует в классификаторе (код 1532), Область отсутствует в"
                " классификаторе (код 15), Казахстан (KATO 153200000)"]
        assert location.find("administrative").attrib == {"vocabulary": "A4", "level": "0",
                                                          "code": "KZ"}


def test_names_change_no_figure_and_reconciliation_still_finds_no_difference(
        database, events, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        assert reconcile.differences(events, cur, [P], schema) == []


def test_an_outcome_split_by_district_names_its_district_or_says_it_has_no_name(
        database, in_order, unnamed):
    _, named = in_order
    for schema, expected in ((named, ALGA), (unnamed, dict.fromkeys(ALGA))):
        with database, database.cursor() as cur:
            rows = reports.programme_report(cur, P, schema)["learning_outcomes"]
        by_district = [r for r in rows if r["split"].startswith("district:")]
        assert by_district, "the stream's outcomes have a district split"
        for row in by_district:
            assert row["split"] == "district:1532"
            assert {lang: row[f"district_name_{lang}"] for lang in ALGA} == expected
        assert not any("district_name_en" in r for r in rows if r not in by_district)
