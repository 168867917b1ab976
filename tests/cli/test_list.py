"""`baqylau list courses|rounds|commitments|organisations --programme P`, the real command
against the real registry, training and assessment: what an operator reads to fill an
import, as a table or as JSON, and one line with exit 2 for a programme that is not there."""

from __future__ import annotations

import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.cli.run import baqylau, one_line_error
from tests.conftest import throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform
from tests.training.registry import bin_of

pytestmark = pytest.mark.integration
PROGRAMME, YEAR = "uralsk-list", "2024-2025"
ORGANISATIONS = {"URL-SCH-01": ("school", "Школа №1 (Алга)"),
                 "URL-COL-01": ("further_education", "Колледж (Алга)")}


@pytest.fixture(scope="module")
def platform(rabbit_manager, tmp_path_factory):
    with throwaway_vhost(rabbit_manager, "baqylau_list") as vhost, \
            throwaway_databases() as databases:
        running = Platform(tmp_path_factory.mktemp("list"), vhost, databases,
                           services=("registry", "training", "assessment"))
        try:
            running.start_all()
            with ClusterRpcProxy({"AMQP_URI": running.amqp_uri}, timeout=30) as rpc:
                seed(rpc)
            yield running
        finally:
            running.stop_all()


def seed(rpc) -> None:
    """A programme with a funder's commitment, two organisations, a course and a round."""
    rpc.registry.register_funder(funder_id="akimat-west", name_kk="Әкімдік",
                                 name_ru="Акимат", organisation_type="10")
    rpc.registry.launch_programme(programme_id=PROGRAMME, name_kk="Бағдарлама",
                                  name_ru="Программа", regions=["15"], start="2024-06-01",
                                  end="2026-05-31", models=["digital_solutions"],
                                  budget_kzt=90_000_000)
    rpc.registry.commit_funding(programme_id=PROGRAMME, commitment_id="URL-AKIMAT-2024",
                                funder_id="akimat-west", scope="training",
                                amount_kzt=40_000_000, committed_on="2024-06-10")
    for organisation_id, (kind, name) in ORGANISATIONS.items():
        rpc.registry.register_organisation(
            organisation_id=organisation_id, bin=bin_of(organisation_id), kind=kind,
            name_kk=name, name_ru=name, kato="153220100", school_year=YEAR,
            locality="rural", small_class=False, pupils=120, teachers=14)
        rpc.registry.join_programme(programme_id=PROGRAMME, organisation_id=organisation_id,
                                    model="digital_solutions", joined_on="2024-06-15")
    rpc.training.catch_up_registry()
    rpc.training.schedule_course(programme_id=PROGRAMME, code="URL-ACAD-01",
                                 title="Criteria-based assessment", subject="assessment",
                                 format="online", audience="teacher", planned_hours="24",
                                 completion_hours="20", provider="ESEN Foundation")
    rpc.assessment.open_round(round_id="URL-BASELINE", programme_id=PROGRAMME,
                              school_year=YEAR, phase="baseline", grades=[6, 8],
                              subjects={"math": {"max_score": 40, "threshold": 20}},
                              opened_on="2024-09-10")


@pytest.fixture(scope="module")
def env(platform):
    return {"AMQP_URI": platform.amqp_uri, "BAQYLAU_RPC_TIMEOUT": "20"}


def listed(env, kind, *options):
    result = baqylau("list", kind, "--programme", PROGRAMME, *options, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows_of(table: str) -> list[list[str]]:
    """The table's header and rows, each split into its cells (two spaces apart)."""
    lines = table.splitlines()
    assert set(lines[1].replace(" ", "")) == {"-"}, table  # the rule under the header
    return [[cell.strip() for cell in line.split("  ") if cell.strip()]
            for line in [lines[0], *lines[2:]]]


def test_courses_are_listed_with_the_code_an_import_names(env):
    header, *rows = rows_of(listed(env, "courses"))
    assert header[:3] == ["code", "title", "role"]
    assert rows == [["URL-ACAD-01", "Criteria-based assessment", "teacher", "online", "24.0",
                     "20.0"]]


def test_rounds_are_listed_with_phase_year_grades_and_subjects(env):
    header, *rows = rows_of(listed(env, "rounds"))
    assert header == ["round_id", "phase", "school_year", "grades", "subjects", "opened_on",
                      "closed_on"]
    assert rows == [["URL-BASELINE", "baseline", YEAR, "6,8", "math", "2024-09-10", "open"]]


def test_commitments_are_listed_with_funder_scope_and_amount(env):
    header, *rows = rows_of(listed(env, "commitments"))
    assert header[:4] == ["commitment_id", "funder", "scope", "amount_kzt"]
    assert rows == [["URL-AKIMAT-2024", "akimat-west", "training", "40000000", "0",
                     "2024-06-10"]]


def test_organisations_are_listed_with_name_kind_and_district(env):
    header, *rows = rows_of(listed(env, "organisations"))
    assert header == ["organisation_id", "name", "kind", "district"]
    assert rows == [["URL-COL-01", "Колледж (Алга)", "further_education", "Alga district"],
                    ["URL-SCH-01", "Школа №1 (Алга)", "school", "Alga district"]]


@pytest.mark.parametrize("kind, key, expected", [
    ("courses", "code", ["URL-ACAD-01"]), ("rounds", "round_id", ["URL-BASELINE"]),
    ("commitments", "commitment_id", ["URL-AKIMAT-2024"]),
    ("organisations", "organisation_id", ["URL-COL-01", "URL-SCH-01"])])
def test_json_gives_the_records_as_one_array(env, kind, key, expected):
    records = json.loads(listed(env, kind, "--json"))
    assert [record[key] for record in records] == expected


@pytest.mark.parametrize("kind", ["courses", "rounds", "commitments", "organisations"])
def test_an_unknown_programme_cannot_run_and_prints_nothing_on_standard_output(env, kind):
    result = baqylau("list", kind, "--programme", "no-such-prog", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert one_line_error(result).startswith("baqylau: no programme 'no-such-prog'; ")


def test_a_programme_with_none_of_a_kind_says_so(env, platform):
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=30) as rpc:
        rpc.registry.launch_programme(programme_id="empty-list", name_kk="Бос",
                                      name_ru="Пусто", regions=["15"], start="2024-06-01",
                                      end="2026-05-31", models=["digital_solutions"])
    result = baqylau("list", "rounds", "--programme", "empty-list", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no rounds in programme empty-list"
