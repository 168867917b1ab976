"""The KATO classifier's import: the Bureau's columns checked row by row at the registry's
edge, regions and districts named once, and the same file twice storing nothing."""

import csv

import pytest
from openpyxl import Workbook

from cli.importers.kato import COLUMNS, OPTIONAL, import_file
from services.registry.kato import DISTRICTS, REGIONS
from services.registry.kato_import import KatoRow
from services.registry.places import level_of
from shared.errors import InvalidInput
from shared.validation import load
from tests.conftest import ROOT
from tests.registry.test_service import config, registry, stored  # noqa: F401 - fixtures

EXTRACT = ROOT / "data/kato/kato-seed-regions.csv"
ALGA = dict(row=2, te="153200000", ab="15", cd="32", ef="00", hij="000", k="2",
            name_kaz="Алға ауданы", name_rus="Алгинский район")


def refusal(**changes):
    with pytest.raises(InvalidInput) as caught:
        load(KatoRow(), {**ALGA, **changes})
    return caught.value.errors


def test_a_row_is_refused_naming_its_field_and_reason():
    assert refusal(te="15320000") == {"te": ["Must be exactly 9 digits."]}
    assert refusal(cd="33") == {"cd": ["Is 33, but te 153200000 has 32 there."]}
    assert refusal(k="two") == {"k": ["Not a valid integer."]}
    assert refusal(name_rus=" ") == {"name_rus": ["Missing data for required field."]}
    assert set(refusal(te="003200000", ab="00")) == {"ab"}
    assert set(refusal(district="Alga")) == {"district"}  # a column the file has no right to


def test_only_regions_and_districts_are_kept():
    assert level_of("150000000") == "region"
    assert level_of("153200000") == "district"
    assert level_of("153220100") is None  # a settlement (Alga town): reports group by district


def extract():
    with EXTRACT.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_shipped_extract_names_every_district_the_seeds_use():
    from scripts.seed_registry import generate

    rows = extract()
    assert list(rows[0]) == [*COLUMNS, *OPTIONAL]
    named = {r["te"][:4] for r in rows if level_of(r["te"]) == "district"}
    regions = {r["te"][:2] for r in rows if level_of(r["te"]) == "region"}
    seed = generate()
    used = {r["kato"][:4] for year in seed.rows for r in seed.rows[year]}
    assert regions == {"11", "15", "27", "43"}
    assert used <= named  # no seeded organisation in a district the classifier lacks
    for row in rows:
        load(KatoRow(), {**row, "row": 2})


def test_aktobe_has_the_bureaus_thirteen_districts_irgiz_and_oiyl_once():
    """KATO's Aktobe: the city and twelve districts, Oiyl (Уилский) one district under its
    Kazakh and Russian names, Irgiz at 1568 (data/kato/README.md names the sources)."""
    aktobe = {r["te"][:4]: (r["name_kaz"], r["name_rus"]) for r in extract()
              if r["ab"] == "15" and level_of(r["te"]) == "district"}
    assert sorted(aktobe) == ["1510", "1532", "1534", "1536", "1540", "1542", "1546", "1548",
                              "1552", "1556", "1560", "1564", "1568"]
    assert aktobe["1552"] == ("Ойыл ауданы", "Уилский район")
    assert aktobe["1568"] == ("Ырғыз ауданы", "Иргизский район")
    assert aktobe["1532"] == ("Алға ауданы", "Алгинский район")


def test_the_seeded_aktobe_schools_are_spread_over_its_real_districts():
    from scripts.seed_registry import AKTOBE_DISTRICTS, generate

    schools = [r for r in generate().rows["2024-2025"] if r["organisation_id"].startswith(
        "AKT-") and not r["organisation_id"].startswith("AKT-CMP")]
    assert len(schools) == 134
    assert {r["kato"][:4] for r in schools} == set(AKTOBE_DISTRICTS)


def test_the_registrys_district_list_is_the_shipped_extracts():
    """The codes an organisation may carry are the extract's, with its English names, and
    every region listed has its region row."""
    rows = extract()
    assert DISTRICTS == {r["te"][:4]: r["name_en"] for r in rows
                         if level_of(r["te"]) == "district"}
    for row in rows:
        if level_of(row["te"]) == "region":
            assert REGIONS[row["ab"]][:2] == (row["name_kaz"], row["name_rus"])


def workbook(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append([*COLUMNS, *OPTIONAL])
    for row in rows:
        sheet.append([row.get(c) for c in [*COLUMNS, *OPTIONAL]])
    book.save(path)
    return path


@pytest.mark.integration
def test_the_classifier_file_is_imported_once_however_often_it_is_given(registry, tmp_path):  # noqa: F811
    report = import_file(registry, EXTRACT)
    assert report.counts == {"named": 59}
    events = stored(registry)
    again = import_file(registry, EXTRACT)
    assert again.counts == {"unchanged": 59}
    assert stored(registry) == events  # the same file twice stores nothing

    # The Bureau's XLSX, with a settlement, a renamed district and two bad rows.
    path = workbook(tmp_path / "kato.xlsx", [
        {**ALGA, "name_rus": "Алгинский район (новый)"},
        {**ALGA, "te": "153220100", "ef": "20", "hij": "100", "k": "4"},
        {**ALGA, "cd": "34"},
        {**ALGA, "te": "1532", "name_kaz": ""}])
    report = import_file(registry, path)
    assert report.counts == {"renamed": 1, "skipped": 1, "rejected": 2}
    assert sorted((row, name) for row, name, _ in report.problems()) == [
        (4, "cd"), (5, "name_kaz"), (5, "te")]
