"""One definition for each rule a template states: the rule in words comes from the very
field the service validates the column with, and that field enforces it (the bound is
accepted, just past it refused), also on the import's way from a cell to the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError, fields, validate
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cli.importers import training as import_training
from cli.importers.kinds import KINDS
from cli.template_sheet import EXCEL_ROWS, PREPARED_ROWS
from cli.templates import _validators, allowed_values, guide, what_it_holds, write_xlsx
from services.training import schemas as training_schemas

COLUMNS = [(kind, column) for kind in sorted(KINDS) for column in KINDS[kind].all_columns]


def refuses(field, value) -> bool:
    """Whether the field refuses the value as the import sends it (a strict integer as a
    number, as expenditures.money_row does; anything else as the cell's text)."""
    try:
        field.deserialize(value if getattr(field, "strict", False) else str(value))
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize(("kind", "column"), COLUMNS, ids=lambda c: str(c))
def test_each_template_column_states_the_rule_its_schema_enforces(kind, column):
    field = KINDS[kind].contract()[column]
    [line] = [line for line in guide(KINDS[kind]) if line["column"] == column]
    assert (line["holds"], line["allowed"]) == (what_it_holds(field),
                                                ", ".join(allowed_values(field)))
    for rule in _validators(field):
        if isinstance(rule, validate.Range) and not getattr(field, "inner", None):
            step = Decimal("0.1") if rule.min is not None and rule.min % 1 else 1
            if rule.min is not None:
                assert f"at least {rule.min}" in line["holds"]
                assert not refuses(field, rule.min)
                assert refuses(field, rule.min - step)
            if rule.max is not None:
                assert f"at most {rule.max}" in line["holds"]
                assert not refuses(field, rule.max)
                assert refuses(field, rule.max + step)
        elif isinstance(rule, validate.OneOf) and not getattr(field, "inner", None):
            assert line["allowed"].split(", ") == [str(c) for c in rule.choices]
            assert refuses(field, "not-one-of-them")


def test_the_hours_column_states_the_minimum_every_session_command_enforces():
    [line] = [line for line in guide(KINDS["training"]) if line["column"] == "hours"]
    minimum = training_schemas.SESSION_MIN_HOURS
    assert f"at least {minimum}" in line["holds"]
    for schema in (training_schemas.Session(), training_schemas.RecordAttendance()):
        [rule] = [r for r in schema.fields["hours"].validators
                  if isinstance(r, validate.Range)]
        assert rule.min == minimum


@pytest.mark.parametrize("hours", ["0", "0.4", "-1"])
def test_an_import_row_below_the_stated_hours_is_refused_naming_hours(hours):
    cells = {"row": 2, "participant_id": "T-1", "organisation_id": "URL-SCH-01",
             "course_code": "URL-UU", "enrolled_on": "2024-09-02", "hours": hours,
             "completed_on": "2024-11-20"}
    with pytest.raises(ValidationError) as refused:
        training_schemas.TrainingRow().load(import_training.training_row(cells))
    line = {"row": 2, "outcome": "rejected", "errors": refused.value.messages}
    assert list(import_training.by_column(line)["errors"]) == ["hours"]


# The XLSX template states the same rules to the spreadsheet: each column's cells formatted
# and validated from the very field the service validates the column with.

@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for kind in KINDS:
        write_xlsx(KINDS[kind], folder / f"{kind}.xlsx")
        made[kind] = load_workbook(folder / f"{kind}.xlsx")
    return made


def column_validation(book, column):
    """The data validation over the column's prepared cells, and the list it offers."""
    sheet = book.worksheets[0]
    letter = get_column_letter([c.value for c in sheet[1]].index(column) + 1)
    covering = [v for v in sheet.data_validations.dataValidation
                if f"{letter}2:{letter}{EXCEL_ROWS}" in str(v.sqref)]
    assert len(covering) <= 1
    if not covering:
        return letter, None, []
    rule = covering[0]
    if rule.type != "list":
        return letter, rule, []
    if rule.formula1.startswith('"'):
        return letter, rule, rule.formula1.strip('"').split(",")
    sheet_name, cells = rule.formula1.replace("$", "").split("!")
    return letter, rule, [c.value for [c] in book[sheet_name.strip("'")][cells]]


@pytest.mark.parametrize(("kind", "column"), COLUMNS, ids=lambda c: str(c))
def test_each_xlsx_template_column_is_prepared_as_its_schema_reads_it(books, kind, column):
    field = KINDS[kind].contract()[column]
    letter, rule, offered = column_validation(books[kind], column)
    sheet = books[kind].worksheets[0]
    formats = {sheet[f"{letter}{row}"].number_format for row in range(2, PREPARED_ROWS + 2)}
    if isinstance(field, fields.Date):
        assert formats == {"yyyy-mm-dd"} and rule.type == "date"
    elif isinstance(field, fields.String):
        assert formats == {"@"}  # text: a BIN or KATO code keeps its leading zero
    if allowed_values(field):
        assert rule.type == "list" and offered == allowed_values(field)
    for check in _validators(field):
        if isinstance(check, validate.Range):
            assert rule.type == ("whole" if isinstance(field, fields.Integer) else "decimal")
            bounds = [b for b in (check.min, check.max) if b is not None]
            assert [Decimal(f) for f in (rule.formula1, rule.formula2) if f] == bounds
        elif isinstance(check, validate.Length) and check.max is not None:
            assert (rule.type, rule.formula1) == ("textLength", str(check.max))
