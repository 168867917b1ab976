"""`baqylau import training` as an operator runs it, against the training service and the
registry in nameko containers on the real RabbitMQ and PostgreSQL: each rejected row's reason
is told under the file's own column (never the command's nested `sessions`), a rule about
the whole row as the row's, in the printed report and in the --report CSV alike."""

from __future__ import annotations

import csv

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import find_free_port

from cli.importers.kinds import KINDS
from services.registry.service import RegistryService
from services.training.service import TrainingService
from tests.cli.run import baqylau
from tests.conftest import config_for
from tests.training.registry import launch
from tests.training.test_service import COURSE

pytestmark = pytest.mark.integration
PROGRAMME = COURSE["programme_id"]
GOOD = {"participant_id": "T-001", "organisation_id": "S-01", "course_code": COURSE["code"],
        "enrolled_on": "2024-09-02", "hours": "22", "completed_on": "2024-10-10"}


@pytest.fixture
def training(container_factory, rabbit_config, pg_databases):
    registry_config = config_for(rabbit_config, pg_databases())
    container_factory(RegistryService, registry_config).start()
    with ServiceRpcProxy("registry", registry_config) as registry:
        launch(registry, PROGRAMME, ["S-01"])
    config = {**config_for(rabbit_config, pg_databases()),
              "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
              "CATCH_UP": {"interval": 60, "miss_timeout": 5}}
    container_factory(TrainingService, config).start()
    with ServiceRpcProxy("training", config) as proxy:
        proxy.catch_up_registry()
        proxy.schedule_course(**COURSE)
        yield proxy


def write(path, rows):
    columns = KINDS["training"].all_columns
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows({name: row.get(name, "") for name in columns} for row in rows)
    return path


def test_a_rejected_rows_reasons_name_the_files_columns_and_the_row_itself(
        training, rabbit_config, tmp_path):
    path = write(tmp_path / "academy.csv", [
        GOOD,
        {**GOOD, "participant_id": "T-002", "completed_on": "10.10.2024"},  # not ISO
        {**GOOD, "participant_id": "T-003", "hours": "8"}])  # too few hours to complete
    report = tmp_path / "rejected.csv"
    result = baqylau("import", "training", path, "--programme", PROGRAMME,
                     "--report", report, env={"AMQP_URI": rabbit_config["AMQP_URI"],
                                              "BAQYLAU_RPC_TIMEOUT": "20"})
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 recorded, 2 rejected"
    # The session's date is the completion's: its reason once, under completed_on.
    assert [line for line in lines if line.startswith("  row 3:")] == [
        "  row 3: completed_on: Not a valid date."]
    [whole_row] = [line for line in lines if line.startswith("  row 4:")]
    assert whole_row.startswith("  row 4: ") and "hours" in whole_row
    assert "_schema" not in result.stdout and "sessions" not in result.stdout
    with report.open(newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["field"]) for r in rejected] == [("3", "completed_on"), ("4", "")]
    assert rejected[1]["reason"] == whole_row.removeprefix("  row 4: ")
