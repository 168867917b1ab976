"""`baqylau import KIND FILE`: any of the platform's bulk imports, through the one runner
(cli/importers/runner.py): progress bar, summary by outcome, rejected rows' reasons and exit
status 0 (all accepted), 1 (some rejected) or 2 (unusable file, unknown programme, platform
not answering)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from cli.importers.kinds import KINDS, TARGETS
from cli.importers.runner import read_table, run_import
from cli.listing import known_programme

KINDS_HELP = "\n\n".join(f"{kind.name}: {kind.summary}"
                         + (f"; needs {TARGETS[kind.needs]}" if kind.needs else "")
                         for kind in KINDS.values())


@click.command("import", help=f"""Import FILE (CSV in UTF-8, cells separated by commas,
semicolons or tabs, or XLSX: its first sheet) as KIND, row by row: good rows are stored,
bad ones reported with row, column and reason. Importing the same file again stores
nothing, so an interrupted import is simply run again. `baqylau template KIND` writes a
file with the right columns; its example row (first cell EXAMPLE...) is skipped.

\b
Exit status: 0 every row accepted, 1 some rejected, 2 unusable file, unknown programme
or platform not answering.

{KINDS_HELP}""")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--school-year", help="organisations: the school year of the profiles, e.g. "
              "2024-2025")
@click.option("--round", "round_id", help="scores: the assessment round, e.g. "
              "AKT-2023-24-BASELINE")
@click.option("--programme", "programme_id", help="training, practices, strategies, projects, "
              "partnerships: the programme id")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected row's reasons here (CSV: row, field, reason).")
def import_file(kind: str, file: Path, school_year: str | None, round_id: str | None,
                programme_id: str | None, report: Path | None) -> None:
    chosen = KINDS[kind]
    given = {"school_year": school_year, "round_id": round_id, "programme_id": programme_id}
    target = given[chosen.needs] if chosen.needs else None
    if chosen.needs and not target:
        raise click.UsageError(f"import {kind} needs {TARGETS[chosen.needs]}")
    extra = [TARGETS[name] for name, value in given.items() if value and name != chosen.needs]
    if extra:
        raise click.UsageError(f"import {kind} takes no {', '.join(extra)}")
    sys.exit(run_import(
        file, report, lambda path: read_table(path, chosen.columns, chosen.optional),
        lambda rpc, rows, label: chosen.send(rpc, target, rows, label),
        check=programme_exists(target) if chosen.needs == "programme_id" else None,
        example=chosen.example))


def programme_exists(programme_id: str) -> Callable[[Any], None]:
    """One registry call before any row is sent: a file for a programme that does not exist
    cannot be imported at all (exit 2), where each of its rows would be refused alike."""
    return lambda rpc: known_programme(rpc, programme_id)
