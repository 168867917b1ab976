"""`baqylau import` as an operator runs it on files as spreadsheets write them, against the
registry in a nameko container on the real RabbitMQ and PostgreSQL: semicolons or tabs
between cells, a BOM, the template's example row left in, an unknown programme, a file in
Windows-1251, and a report redirected to a file."""

from __future__ import annotations

import csv

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from cli.importers.kinds import KINDS
from services.registry.service import RegistryService
from tests.cli.run import baqylau, one_line_error
from tests.conftest import config_for
from tests.training.registry import launch

pytestmark = pytest.mark.integration
PROGRAMME, SCHOOL = "uralsk-accelerator", "URL-SCH-01"
COLUMNS = KINDS["strategies"].all_columns
STRATEGY = {"strategy_id": "URL-SCH-01-STR", "organisation_id": SCHOOL,
            "title": "Мектептің 2024–2027 даму стратегиясы", "adopted_on": "2024-12-20",
            "valid_until": ""}


@pytest.fixture
def config(rabbit_config, pg_database):
    return config_for(rabbit_config, pg_database)


@pytest.fixture
def registry(container_factory, config):
    container_factory(RegistryService, config).start()
    with ServiceRpcProxy("registry", config) as proxy:
        launch(proxy, PROGRAMME, [SCHOOL])
        yield proxy


@pytest.fixture
def env(config):
    return {"AMQP_URI": config["AMQP_URI"], "BAQYLAU_RPC_TIMEOUT": "20"}


def write(path, rows, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(COLUMNS)
        writer.writerows([row[name] for name in COLUMNS] for row in rows)
    return path


def adopted(registry):
    return [e["data"]["strategy_id"] for e in registry.notifications(after=0, limit=1000)[
        "items"] if e["type"] == "StrategyAdopted"]


def import_strategies(path, env, programme=PROGRAMME):
    return baqylau("import", "strategies", path, "--programme", programme, env=env)


@pytest.mark.parametrize(("delimiter", "encoding"), [
    (";", "utf-8-sig"),  # Excel's "CSV UTF-8" in a Russian or Kazakh locale: BOM, semicolons
    ("\t", "utf-8")])
def test_a_file_with_semicolons_or_tabs_between_cells_is_imported(
        registry, env, tmp_path, delimiter, encoding):
    path = write(tmp_path / "strategies.csv", [STRATEGY, {
        **STRATEGY, "strategy_id": "URL-SCH-01-STR2", "title": "Жоспар; екінші кезең"}],
        delimiter, encoding)
    result = import_strategies(path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "2 recorded"
    assert sorted(adopted(registry)) == ["URL-SCH-01-STR", "URL-SCH-01-STR2"]


def test_an_unknown_programme_stops_the_import_before_any_row_is_sent(registry, env,
                                                                     tmp_path):
    path = write(tmp_path / "strategies.csv", [STRATEGY])
    result = import_strategies(path, env, programme="no-such-prog")
    assert result.returncode == 2
    assert one_line_error(result) == (
        "baqylau: no programme 'no-such-prog'; check the id: it is the programme_id the "
        "registry launched it with (e.g. baquatty-audan)")
    assert result.stdout == ""  # no summary, no row reported: nothing was sent
    assert adopted(registry) == []


def test_the_templates_example_row_is_skipped_with_a_line_saying_so(registry, env, tmp_path):
    example = {**STRATEGY, "strategy_id": "EXAMPLE-STR-01", "organisation_id": "EXAMPLE-SCH"}
    path = write(tmp_path / "strategies.csv", [example, STRATEGY])
    result = import_strategies(path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "1 recorded", "  row 2: the template's example row, skipped"]
    assert adopted(registry) == ["URL-SCH-01-STR"]


def test_an_import_redirected_to_a_file_holds_the_report_and_no_progress_bar(
        registry, env, tmp_path):
    path = write(tmp_path / "strategies.csv", [STRATEGY, {**STRATEGY, "adopted_on": "x"}])
    result = import_strategies(path, env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "1 recorded, 1 rejected", "  row 3: adopted_on: Not a valid date."]
    assert "%|" not in result.stderr  # standard error is no terminal either: no bar


def test_a_file_in_windows_1251_is_refused_naming_its_encoding(tmp_path):
    russian = {**STRATEGY, "title": "Стратегия развития школы на 2024–2027 годы"}
    path = write(tmp_path / "strategies.csv", [russian], encoding="cp1251")
    result = import_strategies(path, {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"})
    assert result.returncode == 2
    line = one_line_error(result)
    assert line.startswith(f"baqylau: {path}: not UTF-8 text")
    assert "Windows-1251" in line and "save it as UTF-8 CSV" in line
    assert result.stdout == ""


def test_a_real_row_whose_id_begins_with_example_is_sent_and_blank_rows_are_not(
        registry, env, tmp_path):
    own = {**STRATEGY, "strategy_id": "example-school-7-str"}  # the school's own id
    path = write(tmp_path / "strategies.csv", [own], delimiter=";")
    with path.open("a", newline="") as handle:  # what a spreadsheet writes for cleared rows
        handle.write(";" * (len(COLUMNS) - 1) + "\r\n" + " ;" * (len(COLUMNS) - 1) + "\r\n")
    result = import_strategies(path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["1 recorded"]
    assert adopted(registry) == ["example-school-7-str"]


def test_a_quoted_extra_column_with_commas_does_not_decide_the_separator(
        registry, env, tmp_path):
    """An export's extra column, quoted, with more commas than the file has semicolons."""
    path = tmp_path / "strategies.csv"
    header = ";".join(COLUMNS) + ';"Фамилия, имя, отчество, должность, стаж, категория"'
    line = ";".join(STRATEGY[name] for name in COLUMNS) + ";"
    path.write_text(f"{header}\r\n{line}\r\n", encoding="utf-8-sig")
    result = import_strategies(path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert adopted(registry) == ["URL-SCH-01-STR"]
