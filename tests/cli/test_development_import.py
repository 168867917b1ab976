"""`baqylau import strategies|projects|partnerships` as an operator runs it (the command in a
subprocess) against the registry in a nameko container on the real RabbitMQ and PostgreSQL:
a bad row is named by row and column and stores nothing, the good rows are recorded with the
file's name and SHA-256, and the same file again stores nothing."""

from __future__ import annotations

import csv
import hashlib

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from cli.importers.kinds import KINDS
from scripts.seed_registry import PROGRAMMES, SECOND_YEAR
from scripts.seed_registry import generate as registry_seed
from services.registry.service import RegistryService
from tests.cli.run import baqylau
from tests.conftest import config_for

pytestmark = pytest.mark.integration
PROGRAMME, JOINED, OUTSIDE = "uralsk-accelerator", "URL-SCH-01", "URL-SCH-02"


@pytest.fixture
def config(rabbit_config, pg_database):
    return config_for(rabbit_config, pg_database)


@pytest.fixture
def registry(container_factory, config):
    """The Uralsk programme with one school joined and one registered outside it."""
    container_factory(RegistryService, config).start()
    with ServiceRpcProxy("registry", config) as proxy:
        [uralsk] = [p for p in PROGRAMMES if p["programme_id"] == PROGRAMME]
        proxy.launch_programme(**uralsk)
        rows = [{**row, "row": n} for n, row in enumerate(
            (r for r in registry_seed().rows[SECOND_YEAR]
             if r["organisation_id"] in (JOINED, OUTSIDE)), start=2)]
        proxy.import_organisations(school_year=SECOND_YEAR, rows=rows)
        proxy.join_programme(programme_id=PROGRAMME, organisation_id=JOINED,
                             model="management_course", joined_on="2024-09-01")
        yield proxy


@pytest.fixture
def env(config):
    return {"AMQP_URI": config["AMQP_URI"], "BAQYLAU_RPC_TIMEOUT": "20"}


def write(path, kind, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, KINDS[kind].all_columns)
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in KINDS[kind].all_columns}
                         for row in rows)
    return path


def events(registry, type_):
    return [e for e in registry.notifications(after=0, limit=1000)["items"]
            if e["type"] == type_]


STRATEGY = {"strategy_id": "URL-SCH-01-STR", "organisation_id": JOINED,
            "title": "Мектептің 2024–2027 даму стратегиясы", "adopted_on": "2024-12-20"}
PARTNERSHIP = {"partnership_id": "URL-SCH-01-M1", "organisation_id": JOINED,
               "partner_name": "Орал қаласының әкімдігі", "partner_kind": "government",
               "signed_on": "2025-02-10", "purpose": "Мектеп аумағын абаттандыру",
               "memorandum_ref": "№ 7-М/2025"}


def test_bad_strategy_rows_are_named_by_row_and_column_and_only_good_ones_recorded(
        registry, env, tmp_path):
    path = write(tmp_path / "uralsk-strategies.csv", "strategies", [
        STRATEGY,
        {**STRATEGY, "strategy_id": "URL-SCH-02-STR", "organisation_id": OUTSIDE},
        {**STRATEGY, "strategy_id": "URL-SCH-01-STR2", "adopted_on": "20.12.2024"},
        {**STRATEGY, "strategy_id": "URL-SCH-01-STR3", "valid_until": "2020-08-31"}])
    result = baqylau("import", "strategies", path, "--programme", PROGRAMME, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 recorded, 3 rejected" in result.stdout
    assert f"row 3: organisation_id: Not a participant of programme {PROGRAMME}." \
        in result.stdout
    assert "row 4: adopted_on: Not a valid date." in result.stdout
    assert "row 5: valid_until: Must not be before adopted_on." in result.stdout
    [adopted] = events(registry, "StrategyAdopted")
    assert adopted["data"]["strategy_id"] == "URL-SCH-01-STR"
    assert adopted["data"]["valid_until"] is None  # the empty cell: open-ended
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert (adopted["sourcefile"], adopted["sourcesha256"]) == (path.name, digest)
    again = baqylau("import", "strategies", path, "--programme", PROGRAMME, env=env)
    assert "3 rejected, 1 unchanged" in again.stdout
    assert len(events(registry, "StrategyAdopted")) == 1


def test_a_project_names_its_schools_strategy_or_none_and_a_foreign_one_is_rejected(
        registry, env, tmp_path):
    registry.adopt_strategy(programme_id=PROGRAMME, **STRATEGY)
    project = {"project_id": "URL-SCH-01-P1", "organisation_id": JOINED,
               "title": "Робототехника үйірмесі", "launched_on": "2025-01-15",
               "strategy_id": "URL-SCH-01-STR"}
    path = write(tmp_path / "projects.csv", "projects", [
        project, {**project, "project_id": "URL-SCH-01-P2", "strategy_id": ""},
        {**project, "project_id": "URL-SCH-01-P3", "strategy_id": "URL-SCH-09-STR"}])
    result = baqylau("import", "projects", path, "--programme", PROGRAMME, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 recorded, 1 rejected" in result.stdout
    assert "row 4: strategy_id: No strategy URL-SCH-09-STR." in result.stdout
    assert {(e["data"]["project_id"], e["data"]["strategy_id"])
            for e in events(registry, "ProjectLaunched")} == {
        ("URL-SCH-01-P1", "URL-SCH-01-STR"), ("URL-SCH-01-P2", None)}


def test_a_partnership_of_a_kind_outside_the_list_is_rejected_naming_partner_kind(
        registry, env, tmp_path):
    path = write(tmp_path / "partners.csv", "partnerships", [
        PARTNERSHIP, {**PARTNERSHIP, "partnership_id": "URL-SCH-01-M2",
                      "partner_kind": "sponsor"}])
    result = baqylau("import", "partnerships", path, "--programme", PROGRAMME, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 recorded, 1 rejected" in result.stdout
    assert "row 3: partner_kind: Must be one of: business, ngo, university, government, " \
        "school, other." in result.stdout
    assert [e["data"]["partnership_id"] for e in events(registry, "PartnershipSigned")] == [
        "URL-SCH-01-M1"]
