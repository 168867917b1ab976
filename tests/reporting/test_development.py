"""The schools' development in the report: each school's strategy in force, its projects and
its partners, from the registry's events in any order, once however often they come, and
as they stood at a past moment."""

from datetime import date, timedelta

import pytest

from services.reporting.figures import development
from services.reporting.figures.reports import programme_report
from services.reporting.ingest import past, projections
from tests.reporting.conftest import fresh_schema
from tests.reporting.working_stream import SCHOOL, UNNAMED, P, applied, stream

pytestmark = pytest.mark.integration

KAZAKHTELECOM = {"partner_name": "Казахтелеком", "partner_kind": "business",
                 "purpose": "интернет"}
EXPECTED = {
    "strategies_adopted": 1, "projects": 1, "partners": 2, "memoranda": 3,
    "organisations": [
        {"organisation_id": "S0", "name_ru": "Школа S0", **SCHOOL,
         "strategy": {"strategy_id": "ST-2", "title": "Мектеп 2025-2027",
                      "adopted_on": date(2025, 1, 10), "valid_until": date(2027, 8, 31)},
         "projects": [{"project_id": "PR-1", "title": "Робототехника үйірмесі",
                       "launched_on": date(2024, 4, 1)}],
         "partners": []},
        {"organisation_id": "S1", "name_ru": "Школа S1", **SCHOOL, "strategy": None,
         "projects": [],
         "partners": [
             {"partnership_id": "M-1", **KAZAKHTELECOM, "signed_on": date(2024, 5, 2),
              "memorandum_ref": "№M-1"},
             {"partnership_id": "M-2", "partner_name": "ЗКАТУ", "partner_kind": "university",
              "signed_on": date(2024, 6, 3), "purpose": "интернет",
              "memorandum_ref": "№M-2"}]},
        {"organisation_id": "S2", "name_ru": "Школа S2", **UNNAMED, "strategy": None,
         "projects": [],
         "partners": [{"partnership_id": "M-3", **KAZAKHTELECOM,
                       "signed_on": date(2024, 5, 20), "memorandum_ref": "№M-3"}]}]}
DEVELOPMENT_TYPES = ("StrategyAdopted", "ProjectLaunched", "PartnershipSigned")


@pytest.fixture(scope="module")
def working(tmp_path_factory):
    return stream(tmp_path_factory.mktemp("development"))


@pytest.mark.parametrize("seed", [None, 11, 12])
def test_the_report_names_each_schools_strategy_projects_and_partners(database, working,
                                                                      seed):
    schema = applied(database, working, seed)
    with database, database.cursor() as cur:
        assert programme_report(cur, P, schema)["development"] == EXPECTED


def test_a_programme_without_development_facts_has_zeros_and_no_schools(database, working):
    schema = applied(database, [e for e in working if e.type not in DEVELOPMENT_TYPES])
    with database, database.cursor() as cur:
        assert development.section(cur, P, schema) == {
            "strategies_adopted": 0, "projects": 0, "partners": 0, "memoranda": 0,
            "organisations": []}


def test_redelivered_development_facts_are_recorded_once(database, working):
    facts = [e for e in working if e.type in DEVELOPMENT_TYPES]
    schema = fresh_schema(database)
    assert len(projections.handle_batch(database, facts + facts, schema)) == len(facts)
    assert projections.handle_batch(database, list(reversed(facts)), schema) == []
    with database, database.cursor() as cur:
        counts = []
        for table in ("strategies", "projects", "partnerships"):
            cur.execute(f"SELECT count(*) FROM {schema}.{table}")
            counts.append(cur.fetchone()[0])
    assert counts == [2, 1, 3]


def test_a_strategy_adopted_later_is_not_in_force_before_it_was_recorded(database, working):
    live = applied(database, working, seed=13)
    [later] = [e for e in working if e.type == "StrategyAdopted"
               and e.data["strategy_id"] == "ST-2"]
    with database, database.cursor() as cur:
        then = past.ensure(cur, live)
        cur.execute("SELECT set_config('baqylau.as_of', %s, true)",
                    ((later.time - timedelta(microseconds=1)).isoformat(),))
        earlier = development.section(cur, P, then)
    [school] = [o for o in earlier["organisations"] if o["organisation_id"] == "S0"]
    assert school["strategy"]["strategy_id"] == "ST-1"
    assert earlier["memoranda"] == 0  # signed after the strategies were recorded
