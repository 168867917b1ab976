"""The KATO classifier's import: the Bureau's columns checked row by row at the registry's
edge, regions and districts named once, and the same file twice storing nothing."""

import csv

import pytest
from openpyxl import Workbook

from cli.importers.kato import COLUMNS, OPTIONAL, import_file
from services.registry.kato_import import KatoRow
from services.registry.places import level_of
from shared.errors import InvalidInput
from shared.validation import load
from tests.conftest import ROOT
from tests.registry.test_service import config, registry, stored  # noqa: F401 - fixtures

EXTRACT = ROOT / "data/kato/kato-seed-regions.csv"
ALGA = dict(row=2, te="152200000", ab="15", cd="22", ef="00", hij="000", k="2",
            name_kaz="Алға ауданы", name_rus="Алгинский район")


def refusal(**changes):
    with pytest.raises(InvalidInput) as caught:
        load(KatoRow(), {**ALGA, **changes})
    return caught.value.errors


def test_a_row_is_refused_naming_its_field_and_reason():
    assert refusal(te="15220000") == {"te": ["Must be exactly 9 digits."]}
    assert refusal(cd="23") == {"cd": ["Is 23, but te 152200000 has 22 there."]}
    assert refusal(k="two") == {"k": ["Not a valid integer."]}
    assert refusal(name_rus=" ") == {"name_rus": ["Missing data for required field."]}
    assert set(refusal(te="002200000", ab="00")) == {"ab"}
    assert set(refusal(district="Alga")) == {"district"}  # a column the file has no right to


def test_only_regions_and_districts_are_kept():
    assert level_of("150000000") == "region"
    assert level_of("152200000") == "district"
    assert level_of("152230100") is None  # a settlement: reports group by district


def test_the_shipped_extract_names_every_seed_district_but_the_two_in_doubt():
    from scripts.seed_registry import generate

    with EXTRACT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*COLUMNS, *OPTIONAL]
    named = {r["te"][:4] for r in rows if level_of(r["te"]) == "district"}
    regions = {r["te"][:2] for r in rows if level_of(r["te"]) == "region"}
    seed = generate()
    used = {r["kato"][:4] for year in seed.rows for r in seed.rows[year]}
    assert regions == {"11", "15", "27", "43"}
    assert used - named == {"1540", "1544"}  # see data/kato/README.md
    for row in rows:
        load(KatoRow(), {**row, "row": 2})


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
    assert report.counts == {"named": 31}
    events = stored(registry)
    again = import_file(registry, EXTRACT)
    assert again.counts == {"unchanged": 31}
    assert stored(registry) == events  # the same file twice stores nothing

    # The Bureau's XLSX, with a settlement, a renamed district and two bad rows.
    path = workbook(tmp_path / "kato.xlsx", [
        {**ALGA, "name_rus": "Алгинский район (новый)"},
        {**ALGA, "te": "152230100", "ef": "30", "hij": "100", "k": "4"},
        {**ALGA, "cd": "24"},
        {**ALGA, "te": "1522", "name_kaz": ""}])
    report = import_file(registry, path)
    assert report.counts == {"renamed": 1, "skipped": 1, "rejected": 2}
    assert sorted((row, name) for row, name, _ in report.problems()) == [
        (4, "cd"), (5, "name_kaz"), (5, "te")]
