"""Codes, contracts and the seed generator: fast checks, no servers."""

from collections import Counter

import pytest

from cli.importers import organisations as import_organisations
from cli.importers.runner import UnusableFile
from scripts.seed_registry import AKTOBE_PUPILS, CSV_COLUMNS, FIRST_YEAR, SECOND_YEAR, generate
from services.registry import development, domain, kato
from services.registry import schemas as s
from services.registry.access import AccessList
from services.registry.contracts import CONTRACTS
from services.registry.places import KatoPlace
from shared import kz_bin
from shared.contracts import REGISTRY
from shared.errors import InvalidInput
from shared.validation import load
from tests.cli.run import baqylau

ORGANISATION = dict(organisation_id="AKT-001", bin="940140000385", kind="school",
                    name_kk="№1 мектеп", name_ru="Школа №1", kato="153220100",
                    school_year="2023-2024", locality="rural", small_class=True, pupils=60,
                    teachers=11)


def errors_of(schema, payload):
    with pytest.raises(InvalidInput) as caught:
        load(schema, payload)
    return caught.value.errors


@pytest.mark.parametrize("number", ["940140000385", "990140004654"])
def test_accepts_real_bins(number):
    assert kz_bin.problem(number) is None


@pytest.mark.parametrize("number, reason", [
    ("940140000386", "Check digit"), ("94014000038", "12 digits"), ("941340000385", "month"),
    ("940170000385", "entity type"), ("94014000038X", "12 digits")])
def test_rejects_malformed_bins_saying_why(number, reason):
    assert reason in kz_bin.problem(number)


def test_derives_region_and_district_from_kato():
    where = kato.place("116651200")
    assert (where.region_code, where.region_name) == ("11", "Akmola Region")
    assert (where.district_code, where.district_name) == ("1166", "Tselinograd district")


@pytest.mark.parametrize("code, reason", [
    ("16665120", "9 digits"), ("996651200", "Unknown region"), ("110051200", "whole region"),
    ("159951200", "Unknown district 1599")])
def test_rejects_kato_codes_that_name_no_district(code, reason):
    assert reason in kato.problem(code)


def test_rejects_bad_organisation_naming_each_field():
    errors = errors_of(s.RegisterOrganisation(), {
        **ORGANISATION, "bin": "940140000386", "kato": "159951200", "kind": "academy",
        "pupils": -1, "school_year": "2023-2025", "director": "Асқар Жұмабаев"})
    assert set(errors) == {"bin", "kato", "kind", "pupils", "school_year", "director"}


def test_only_a_school_can_be_small_class():
    errors = errors_of(s.RegisterOrganisation(), {**ORGANISATION, "kind": "preschool"})
    assert errors == {"small_class": ["Not applicable to a preschool."]}


@pytest.mark.parametrize("amount", [2064199025.0, "2064199025", 0, -5, 10**14, True])
def test_refuses_money_that_is_not_a_positive_whole_number_of_tenge(amount):
    errors = errors_of(s.CommitFunding(), dict(
        programme_id="p", funder_id="f", commitment_id="c", scope="equipment",
        amount_kzt=amount, committed_on="2023-02-01"))
    assert set(errors) == {"amount_kzt"}


def test_refuses_overlapping_target_periods_and_percentages_above_100():
    share = dict(programme_id="p", indicator="teachers_with_category_share",
                 baseline={"year": 2024, "value": "60"},
                 periods=[{"start": "2024-01-01", "end": "2024-12-31", "target": "101"}])
    assert errors_of(s.SetTarget(), share) == {
        "periods": ["A percentage target must not exceed 100."]}
    target = dict(share, indicator="teachers_trained", periods=list(share["periods"]))
    target["periods"].append({"start": "2024-06-01", "end": "2025-05-31", "target": "200"})
    assert "overlap" in errors_of(s.SetTarget(), target)["periods"][0]


def test_a_target_takes_its_indicators_own_measure_and_refuses_another():
    target = dict(programme_id="p", indicator="teachers_with_category_share",
                  baseline={"year": 2024, "value": "60"},
                  periods=[{"start": "2024-01-01", "end": "2024-12-31", "target": "75"}])
    assert load(s.SetTarget(), target)["measure"] == "percentage"
    assert errors_of(s.SetTarget(), {**target, "measure": "unit"}) == {"measure": [
        "teachers_with_category_share is measured as a percentage, not as a unit."]}
    assert load(s.SetTarget(), {**target, "indicator": "teachers_trained"})["measure"] == "unit"


def test_an_import_row_reads_csv_text_and_treats_empty_cells_as_missing():
    row = load(s.ImportRow(), {**{k: str(v) for k, v in ORGANISATION.items()}, "row": 2,
                               "small_class": "Да", "name_en": "", "network_role": " "})
    assert (row["pupils"], row["small_class"], row["name_en"], row["network_role"]) == (
        60, True, None, None)


def test_every_internal_registry_event_is_in_the_contract_map():
    aggregates = [domain.Organisation, domain.BinClaim, domain.CommitmentClaim, domain.Funder,
                  domain.Programme, domain.Participation, KatoPlace, AccessList,
                  development.Strategy, development.Project, development.Partnership]
    event_classes = {value for aggregate in aggregates for name, value in vars(aggregate).items()
                     if isinstance(value, type) and issubclass(value, aggregate.Event)
                     and name not in ("Event", "Created")}
    event_classes.add(AccessList.Created)  # the one aggregate whose first event is so named
    assert event_classes == set(CONTRACTS.entries)
    published = {entry.contract.contract_type for entry in CONTRACTS.entries.values() if entry}
    assert published <= set(REGISTRY.types())


# ---------------------------------------------------------------- the seed
def test_the_seed_is_deterministic():
    assert generate() == generate()


def test_the_aktobe_seed_matches_the_published_figures():
    seed = generate()
    aktobe = [r for r in seed.rows[FIRST_YEAR] if r["organisation_id"].startswith("AKT-")
              and r not in seed.comparison]
    pupils = [int(r["pupils"]) for r in aktobe]
    assert (len(aktobe), sum(pupils)) == (134, AKTOBE_PUPILS)
    assert (sum(p > 80 for p in pupils), sum(p <= 80 for p in pupils)) == (21, 113)
    assert all(r["small_class"] == "yes" and r["locality"] == "rural" for r in aktobe)
    money = {c["commitment_id"]: c["amount_kzt"] for c in seed.commitments}
    assert money["AKT-QH-EQUIPMENT"] == 2_064_199_025
    aktobe_budget = next(p["budget_kzt"] for p in seed.programmes
                         if p["programme_id"] == "aktobe-small-schools")
    assert aktobe_budget == 4_063_255_771


def test_every_seed_row_is_valid_and_every_bin_unique():
    seed = generate()
    second = seed.rows[SECOND_YEAR]
    for number, row in enumerate(second, start=2):
        load(s.ImportRow(), {**row, "row": number})
    assert len({r["bin"] for r in second}) == len(second) == 439 + 70
    uralsk = Counter(r["kind"] for r in second if r["organisation_id"].startswith("URL-"))
    assert uralsk == {"school": 33, "preschool": 45, "further_education": 7}


def test_the_regions_other_small_class_schools_are_registered_but_join_nothing():
    seed = generate()
    comparison = {r["organisation_id"] for r in seed.comparison}
    assert len(comparison) == 204 - 134
    assert all(r["small_class"] == "yes" and r["kato"][:2] == "15" for r in seed.comparison)
    assert not comparison & {j["organisation_id"] for j in seed.joins}


def test_importer_refuses_a_file_without_the_required_columns(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("organisation_id,bin\nAKT-001,940140000385\n", encoding="utf-8")
    with pytest.raises(UnusableFile, match="kato"):
        import_organisations.read_rows(path)
    assert baqylau("import", "organisations", path, "--school-year", "2024-2025",
                   timeout=60).returncode == 2


def test_importer_does_not_send_columns_it_does_not_know(tmp_path):
    path = tmp_path / "export.csv"
    header = [*CSV_COLUMNS, "director_name"]
    path.write_text(",".join(header) + "\n" + ",".join(["x"] * len(header)) + "\n",
                    encoding="utf-8-sig")
    rows, ignored = import_organisations.read_rows(path)
    assert ignored == ["director_name"]
    assert "director_name" not in rows[0] and rows[0]["row"] == 2
