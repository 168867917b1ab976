"""`baqylau template KIND`: an empty import file with the import's columns and one example
row, described from the marshmallow fields the services validate the rows with (types,
ranges, allowed values), so the template cannot drift from what the import accepts.

CSV: the header and the example row, nothing else, so the file imports as it is once filled
(the column guide is printed beside it). XLSX: the same on the first sheet, which the import
reads, its columns formatted and validated as their fields are (cli/template_sheet.py), and
a second sheet, "columns", that explains each column to a programme officer. The example
row is plainly one (cli/template_examples.py): the import skips it."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import click
from marshmallow import fields, validate

from cli.errors import fail
from cli.importers.kinds import KINDS, TARGETS, Kind
from cli.template_examples import EXAMPLE_NOTE, example_row


def _validators(field: fields.Field) -> list[Any]:
    found = list(field.validators)
    if isinstance(field, fields.List):
        found += list(field.inner.validators)
    return found


def _rounding(places: Any) -> str:
    """marshmallow keeps `places=1` as Decimal("0.1"): the digits it keeps, in words."""
    if places is None:
        return ""
    digits = -places.as_tuple().exponent if hasattr(places, "as_tuple") else int(places)
    return f" (rounded to {digits} decimal place{'s' if digits != 1 else ''})"


def what_it_holds(field: fields.Field) -> str:
    """The field's type and limits in words, read from the field and its validators."""
    if isinstance(field, fields.Date):
        kind = "date, YYYY-MM-DD"
    elif isinstance(field, fields.Boolean):
        kind = "yes or no"
    elif isinstance(field, fields.Integer):
        kind = "whole number"
    elif isinstance(field, fields.Decimal):
        kind = "number" + _rounding(field.places)
    else:
        kind = "text"
    for rule in _validators(field):
        if isinstance(rule, validate.Range):
            bounds = [f"at least {rule.min}" if rule.min is not None else "",
                      f"at most {rule.max}" if rule.max is not None else ""]
            kind += ", " + " and ".join(b for b in bounds if b)
        elif isinstance(rule, validate.Length) and rule.max is not None:
            kind += f", up to {rule.max} characters"
        elif isinstance(rule, validate.Regexp) and "opaque id" in (rule.error or ""):
            kind = "an id: 1-64 of A-Z a-z 0-9 . _ : - (no spaces, never a person's name)"
    return kind


def allowed_values(field: fields.Field) -> list[str]:
    for rule in _validators(field):
        if isinstance(rule, validate.OneOf):
            return [str(choice) for choice in rule.choices]
    return []


def guide(kind: Kind) -> list[dict[str, str]]:
    """One line per column: name, required or optional, what it holds, allowed values,
    the example, and the note on what it means."""
    contract = kind.contract()
    example = dict(zip(kind.all_columns, example_row(kind.name, kind.all_columns),
                       strict=True))
    return [{"column": name, "required": "required" if name in kind.columns else "optional",
             "holds": what_it_holds(contract[name]),
             "allowed": ", ".join(allowed_values(contract[name])),
             "example": example[name], "note": kind.notes.get(name, "")}
            for name in kind.all_columns]


def csv_text(kind: Kind) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(kind.all_columns)
    writer.writerow(example_row(kind.name, kind.all_columns))
    return out.getvalue()


def write_xlsx(kind: Kind, path: Path) -> None:
    from openpyxl import Workbook

    from cli.template_book import ListSheet, fill_guide_sheet, fill_rows_sheet

    book = Workbook()
    lines = guide(kind)
    guide_sheet = book.create_sheet("columns")  # before a hidden "lists" sheet, if any
    fill_rows_sheet(book.active, kind.name, kind.contract(), lines, ListSheet(book))
    fill_guide_sheet(guide_sheet, lines)
    book.save(path)


def print_guide(kind: Kind) -> None:
    target = f" (the whole file: {TARGETS[kind.needs]} of the import)" if kind.needs else ""
    click.echo(f"{kind.name}: {kind.summary}{target}", err=True)
    for line in guide(kind):
        allowed = f"; one of: {line['allowed']}" if line["allowed"] else ""
        note = f" — {line['note']}" if line["note"] else ""
        click.echo(f"  {line['column']:<20} {line['required']:<9} {line['holds']}{allowed}"
                   f"{note}", err=True)
    click.echo(f"The second line is {EXAMPLE_NOTE}.", err=True)


@click.command("template")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Default: from --output's extension, else csv.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the template here (default: CSV on standard output).")
def template(kind: str, file_format: str | None, output: Path | None) -> None:
    """An empty import file for KIND: its columns, an example row, and what each column
    holds (allowed values, ranges), from the schemas the services validate with."""
    chosen = KINDS[kind]
    file_format = file_format or ("xlsx" if output and output.suffix.lower() == ".xlsx"
                                  else "csv")
    if file_format == "xlsx":
        if output is None:
            fail("an XLSX template cannot go to standard output",
                 f"give --output {kind}.xlsx")
        write_xlsx(chosen, output)
    elif output is None:
        sys.stdout.write(csv_text(chosen))
        sys.stdout.flush()  # the file first, then the guide beside it (standard error)
    else:
        # With a BOM: Excel opens a CSV without one in the locale's code page, and the
        # template's Cyrillic would come back garbled and saved as Windows-1251.
        output.write_text(csv_text(chosen), encoding="utf-8-sig")
    if output is not None:
        click.echo(f"wrote {output} ({file_format})", err=True)
    print_guide(chosen)
