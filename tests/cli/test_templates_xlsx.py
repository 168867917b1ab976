"""`baqylau template` as an operator runs it, and the file it writes opened as the
spreadsheet they fill it in will open it: text stays text, dates are dates, allowed values
are drop-down lists, and the example row is plainly an example that names nothing real."""

from __future__ import annotations

import csv
import io

import pytest
from marshmallow import fields, validate
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from cli.importers.kinds import KINDS, TARGETS
from cli.importers.runner import read_table
from cli.template_examples import EXAMPLE_MARK, EXAMPLES
from cli.template_sheet import EXCEL_ROWS, LISTS_SHEET, PREPARED_ROWS, ListSheet, validation
from tests.cli.run import baqylau, one_line_error


def template(kind, path):
    result = baqylau("template", kind, "-o", path, timeout=60)
    assert result.returncode == 0, result.stderr
    return load_workbook(path)


def letter_of(sheet, column):
    return get_column_letter([c.value for c in sheet[1]].index(column) + 1)


def rule_over(sheet, column):
    letter = letter_of(sheet, column)
    [rule] = [v for v in sheet.data_validations.dataValidation
              if f"{letter}2:{letter}{EXCEL_ROWS}" in str(v.sqref)]
    return rule


def test_the_bin_and_kato_columns_are_text_so_a_leading_zero_stays(tmp_path):
    sheet = template("organisations", tmp_path / "schools.xlsx").worksheets[0]
    for column in ("organisation_id", "bin", "kato", "name_ru"):
        letter = letter_of(sheet, column)
        assert {sheet[f"{letter}{row}"].number_format
                for row in range(2, PREPARED_ROWS + 2)} == {"@"}, column
    assert sheet[f"{letter_of(sheet, 'bin')}2"].value == "010140012345"


def test_a_date_column_holds_dates_and_accepts_only_dates(tmp_path):
    sheet = template("training", tmp_path / "training.xlsx").worksheets[0]
    enrolled = sheet[f"{letter_of(sheet, 'enrolled_on')}2"]
    assert enrolled.is_date and enrolled.number_format == "yyyy-mm-dd"
    assert enrolled.value.date().isoformat() == EXAMPLES["training"]["enrolled_on"]
    assert rule_over(sheet, "enrolled_on").type == "date"


def test_the_role_column_offers_exactly_the_schemas_roles_as_a_drop_down(tmp_path):
    sheet = template("training", tmp_path / "training.xlsx").worksheets[0]
    rule = rule_over(sheet, "role")
    [role_rule] = [r for r in KINDS["training"].contract()["role"].validators
                   if isinstance(r, validate.OneOf)]
    assert rule.type == "list" and rule.formula1 == '"' + ",".join(role_rule.choices) + '"'
    assert rule.showErrorMessage and "teacher, manager" in rule.error


def test_the_hours_column_refuses_a_number_outside_the_schemas_range(tmp_path):
    sheet = template("training", tmp_path / "training.xlsx").worksheets[0]
    rule = rule_over(sheet, "hours")
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
        "decimal", "between", "0.5", "2000")


def test_a_list_too_long_to_type_into_excel_is_kept_on_a_hidden_sheet():
    book = Workbook()
    many = [f"category_{n:03}" for n in range(40)]  # 519 characters with the commas
    rule = validation(fields.String(validate=validate.OneOf(many)), ListSheet(book))
    assert rule.type == "list" and rule.formula1 == f"'{LISTS_SHEET}'!$A$1:$A$40"
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert [c.value for [c] in book[LISTS_SHEET]["A1:A40"]] == many
    short = validation(fields.String(validate=validate.OneOf(["a", "b"])), ListSheet(book))
    assert short.formula1 == '"a,b"'


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_templates_example_row_is_marked_as_an_example(kind, tmp_path):
    result = baqylau("template", kind, timeout=60)
    [header, example] = list(csv.reader(io.StringIO(result.stdout)))
    assert example[0].startswith(EXAMPLE_MARK) and header == KINDS[kind].all_columns
    assert f"skips this row (its first cell, starting with {EXAMPLE_MARK}" in result.stderr
    book = template(kind, tmp_path / f"{kind}.xlsx")
    first = book.worksheets[0]["A2"]
    assert first.value.startswith(EXAMPLE_MARK)
    assert f"its first cell, starting with {EXAMPLE_MARK}" in first.comment.text
    assert any(f"starting with {EXAMPLE_MARK}" in str(row[0])
               for row in book["columns"].iter_rows(values_only=True))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_example_rows_other_cells_pass_the_services_own_fields(kind):
    """So the example shows what each column takes; its ids are made up all the same."""
    chosen = KINDS[kind]
    for name, field in list(chosen.contract().items())[1:]:
        value = EXAMPLES[kind].get(name, "")
        if getattr(field, "strict", False):
            value = int(value)  # as the import sends it (expenditures.money_row)
        if value or name in chosen.columns:
            field.deserialize(value)  # raises ValidationError naming the reason
        if value and name.endswith(("_id", "_school")):
            assert value.startswith(EXAMPLE_MARK), name


@pytest.mark.parametrize("kind", ["organisations", "training", "expenditures"])
def test_a_filled_xlsx_row_reads_back_as_its_csv_row(kind, tmp_path):
    """Dates and numbers typed as such in the workbook reach the import as the text a CSV
    carries (the first cell un-marked, as an operator's own row would be)."""
    book = template(kind, tmp_path / f"{kind}.xlsx")
    own_id = book.worksheets[0]["A2"].value.removeprefix(f"{EXAMPLE_MARK}-")
    book.worksheets[0]["A2"] = own_id
    book.save(tmp_path / "filled.xlsx")
    rows, ignored = read_table(tmp_path / "filled.xlsx", KINDS[kind].columns,
                               KINDS[kind].optional)
    assert ignored == [] and [{k: v for k, v in row.items() if k != "row"} for row in rows] \
        == [{**EXAMPLES[kind], KINDS[kind].all_columns[0]: own_id}]


TARGET_VALUES = {"school_year": "2024-2025", "round_id": "R-1", "programme_id": "p"}
NOWHERE = {"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1/"}  # nothing is sent: no broker


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_template_imported_as_written_is_refused_as_only_its_example(kind, suffix,
                                                                          tmp_path):
    path = tmp_path / f"{kind}.{suffix}"
    assert baqylau("template", kind, "-o", path, timeout=60).returncode == 0
    needs = KINDS[kind].needs
    target = [TARGETS[needs], TARGET_VALUES[needs]] if needs else []
    result = baqylau("import", kind, path, *target, env=NOWHERE, timeout=60)
    assert result.returncode == 2 and "example" in one_line_error(result)


def test_an_xlsx_template_without_a_file_to_write_is_refused_in_one_line():
    result = baqylau("template", "scores", "--format", "xlsx", timeout=60)
    assert result.returncode == 2
    assert one_line_error(result) == ("baqylau: an XLSX template cannot go to standard "
                                      "output; give --output scores.xlsx")


def test_a_text_column_stays_text_below_the_prepared_rows(tmp_path):
    """A regional file of more schools than the prepared rows: the column's own format is
    text too, and its rules hold down to the sheet's last row."""
    sheet = template("organisations", tmp_path / "schools.xlsx").worksheets[0]
    assert sheet.column_dimensions[letter_of(sheet, "bin")].number_format == "@"
    assert rule_over(sheet, "kind").type == "list"  # its drop-down down to the last row


def test_a_csv_template_carries_a_bom_so_excel_reads_it_as_utf8(tmp_path):
    path = tmp_path / "training.csv"
    assert baqylau("template", "training", "-o", path, timeout=60).returncode == 0
    assert path.read_bytes().startswith("\ufeff".encode())
    rows, _ = read_table(path, KINDS["training"].columns)
    assert rows[0]["participant_id"].startswith(EXAMPLE_MARK)
