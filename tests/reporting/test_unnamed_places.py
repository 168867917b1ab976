"""A district the classifier lacks is never shown as a bare code: the dashboard, the CSV and
XLSX drill-downs and the IATI location say in the reader's language that the classifier has
no such district and give its code; the JSON leaves its name null and flags it."""

import csv
import io
import xml.etree.ElementTree as ET  # noqa: N817 - the conventional alias

import pytest

from services.reporting.api.render import districts, iati_location
from services.reporting.api.render.csv import rows_csv
from services.reporting.figures.places import in_all_languages, in_language

AKTOBE = {"kk": "Ақтөбе облысы", "ru": "Актюбинская область", "en": "Aktobe Region"}
NOTE = {"kk": "Ауданның аты классификаторда жоқ (код 1599)",
        "ru": "Район отсутствует в классификаторе (код 1599)",
        "en": "District not in the classifier (code 1599)"}


def line():
    """A drill-down line as the figures compute it, for a district the classifier lacks in a
    region it names."""
    return {"district_code": "1599", "district_name_kk": None, "district_name_ru": None,
            "district_name_en": None, "name_known": False, "region_code": "15",
            **{f"region_name_{lang}": name for lang, name in AKTOBE.items()},
            "region_name_known": True, "organisations": 3, "pupils": 140,
            "participants_trained": 5, "cabinets": 2, "cabinets_commissioned": 1,
            "pupils_assessed": 60}


def test_json_leaves_the_unknown_districts_name_null_and_flags_it():
    (shown,) = in_language([line()], "ru")
    assert (shown["district_code"], shown["district_name"], shown["name_known"]) == (
        "1599", None, False)
    assert shown["region_name"] == "Актюбинская область"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_dashboard_table_says_the_classifier_lacks_the_district(lang):
    table = districts.section(in_language([line()], lang), lang)
    assert f">{NOTE[lang]}</td>" in table and 'data-name-known="false"' in table
    assert f">{AKTOBE[lang]}</td>" in table
    assert ">1599 ?</td>" not in table and ">1599</td>" not in table


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_csv_drill_down_gives_the_note_in_every_name_column(lang):
    (row,) = csv.DictReader(io.StringIO(rows_csv(in_all_languages([line()], lang))))
    assert row["district_name"] == NOTE[lang]
    assert [row[f"district_name_{code}"] for code in ("kk", "ru", "en")] == [
        NOTE["kk"], NOTE["ru"], NOTE["en"]]
    assert row["name_known"] == "False"
    assert [name for name, value in row.items() if value == "1599"] == ["district_code"]


def test_the_iati_location_names_the_unknown_district_by_the_note_in_each_language():
    activity = ET.Element("iati-activity")
    iati_location._location(activity, "1599", None, "15", AKTOBE)
    location = activity.find("location")
    names = [(n.get("{http://www.w3.org/XML/1998/namespace}lang", n.get("xml:lang")), n.text)
             for n in location.find("name")]
    assert names == [(None, NOTE["en"]), ("kk", NOTE["kk"]), ("ru", NOTE["ru"])]
    described = [n.text for n in location.find("description")]
    assert described == [
        f"{NOTE['en']}, Aktobe Region, Kazakhstan (KATO 159900000)",
        f"{NOTE['kk']}, Ақтөбе облысы, Қазақстан (KATO 159900000)",
        f"{NOTE['ru']}, Актюбинская область, Казахстан (KATO 159900000)"]
