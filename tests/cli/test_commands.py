"""The command line without servers: every command's help, the console script, templates
made from the services' schemas, and every failure that comes before a call told in one
line (a wrong column, a file that is not what it says, a broker or service not answering)."""

from __future__ import annotations

import csv
import tomllib
from importlib import import_module

import pytest
from openpyxl import Workbook, load_workbook

from cli.importers.kinds import KINDS
from cli.importers.runner import read_table
from tests.cli.run import baqylau, one_line_error
from tests.conftest import ROOT

COMMANDS = [[], ["token"], ["token", "issue"], ["token", "list"], ["token", "revoke"],
            ["import"], ["template"], ["status"], ["catch-up"], ["rebuild"], ["reconcile"],
            ["dead-letters"], ["dead-letters", "list"], ["dead-letters", "replay"]]
NOWHERE = {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/",  # nothing listens on port 1
           "BAQYLAU_URL_PATTERN": "http://127.0.0.1:1/{service}",
           "RABBITMQ_MANAGEMENT_URL": "http://guest:guest@127.0.0.1:1"}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "baqylau")
def test_every_command_explains_itself(command):
    result = baqylau(*command, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: baqylau")


def test_the_console_script_points_at_an_importable_callable():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["baqylau"].partition(":")
    assert callable(getattr(import_module(module), name))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_templates_example_row_passes_the_services_own_fields(kind):
    chosen = KINDS[kind]
    contract = chosen.contract()
    assert set(contract) == set(chosen.all_columns)
    for name, field in contract.items():
        value = chosen.example.get(name, "")
        if name == chosen.all_columns[0]:
            continue  # the EXAMPLE mark: plainly no record (a kato code is refused for it)
        if getattr(field, "strict", False):
            value = int(value)  # as the import sends it (expenditures.money_row)
        if value or name in chosen.columns:
            field.deserialize(value)  # raises ValidationError naming the reason


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_csv_template_reads_back_as_the_import_reads_it(kind, tmp_path):
    path = tmp_path / f"{kind}.csv"
    result = baqylau("template", kind, "--output", path, timeout=60)
    assert result.returncode == 0, result.stderr
    rows, ignored = read_table(path, KINDS[kind].columns, KINDS[kind].optional)
    assert ignored == [] and len(rows) == 1
    assert {k: v for k, v in rows[0].items() if k != "row"} == {
        name: KINDS[kind].example.get(name, "") for name in KINDS[kind].all_columns}
    for name in KINDS[kind].all_columns:  # the guide beside the file explains every column
        assert f"  {name} " in result.stderr
    if kind in ("organisations", "training", "expenditures"):
        assert "one of:" in result.stderr


def test_an_xlsx_template_explains_each_column_on_a_second_sheet(tmp_path):
    path = tmp_path / "expenditures.xlsx"
    assert baqylau("template", "expenditures", "-o", path, timeout=60).returncode == 0
    book = load_workbook(path)
    assert book.sheetnames == ["expenditures", "columns"]
    guide = {row[0]: row for row in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert "seminars" in guide["category"][3] and guide["amount_kzt"][1] == "required"
    rows, _ = read_table(path, KINDS["expenditures"].columns)
    assert rows[0]["reference"].startswith("EXAMPLE")  # plainly an example, skipped on import


def test_an_import_with_a_misspelt_column_names_it_and_what_the_file_has(tmp_path):
    path = tmp_path / "spending.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["commitment_id", "reference", "amount", "spent_on",
                                       "category"], ["C-1", "PO-1", "10", "2024-01-01", "travel"]])
    result = baqylau("import", "expenditures", path, env=NOWHERE, timeout=60)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "missing column(s) amount_kzt" in line and "amount" in line and str(path) in line


def test_a_file_that_is_not_what_it_says_is_refused_in_one_line(tmp_path):
    not_text = tmp_path / "scores.csv"
    not_text.write_bytes(b"school_id,pupil_id\n\xff\xfe\x00broken")
    result = baqylau("import", "scores", not_text, "--round", "R-1", env=NOWHERE, timeout=60)
    assert result.returncode == 2 and "not UTF-8 text" in one_line_error(result)
    not_a_book = tmp_path / "training.xlsx"
    not_a_book.write_bytes(b"plain text, not a workbook")
    result = baqylau("import", "training", not_a_book, "--programme", "p", env=NOWHERE,
                     timeout=60)
    assert result.returncode == 2 and "not a readable XLSX" in one_line_error(result)
    result = baqylau("import", "training", tmp_path / "absent.csv", "--programme", "p",
                     env=NOWHERE, timeout=60)
    assert result.returncode == 2 and "No such file" in one_line_error(result)


def test_a_file_with_a_header_and_no_rows_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = Workbook()
    book.active.append(KINDS["practices"].columns)
    book.save(path)
    result = baqylau("import", "practices", path, "--programme", "p", env=NOWHERE,
                     timeout=60)
    assert result.returncode == 2 and "no rows" in one_line_error(result)


def test_an_import_without_what_its_file_belongs_to_says_which_option(tmp_path):
    result = baqylau("import", "scores", tmp_path / "x.csv", timeout=60)
    assert result.returncode == 2 and "--round" in one_line_error(result)


def test_a_broker_that_does_not_answer_is_named_with_how_to_start_it():
    result = baqylau("token", "list", env=NOWHERE, timeout=60)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "RabbitMQ at pyamqp://guest:***@127.0.0.1:1/ is not reachable" in line
    assert "make up" in line


def test_status_exits_nonzero_and_names_each_service_when_nothing_answers():
    result = baqylau("status", env=NOWHERE, timeout=90)
    assert result.returncode == 1
    for service in ("registry", "equipment", "assessment", "training", "reporting"):
        assert f"{service} is not answering" in result.stdout
    assert "management API does not answer" in result.stdout
    assert "Traceback" not in result.stderr
