"""Import what a programme's schools did to develop (a programme officer's spreadsheets, CSV
or XLSX) through the registry's commands: one file per kind of fact, one row per fact.

    baqylau import strategies   strategies.xlsx   --programme uralsk-accelerator
    baqylau import projects     projects.csv      --programme uralsk-accelerator
    baqylau import partnerships partnerships.csv  --programme uralsk-accelerator

Strategies first: a project names the strategy it serves (its `strategy_id`), which must be
one its own school adopted. Each row is recorded on its own: a row naming a school that has
not joined the programme, a partner kind not in the list or a date that is not one is
rejected with the column named; the others are stored. Each fact's id is its natural key,
so importing the same file again stores nothing ("unchanged"). Exit status: 0 all accepted,
1 some rejected, 2 unusable.
"""

from __future__ import annotations

from typing import Any

from cli.importers.progress import progress
from cli.importers.runner import ImportReport
from shared.errors import BaqylauError

STRATEGY_COLUMNS = ["strategy_id", "organisation_id", "title", "adopted_on"]
STRATEGY_OPTIONAL = ["valid_until"]
PROJECT_COLUMNS = ["project_id", "organisation_id", "title", "launched_on"]
PROJECT_OPTIONAL = ["strategy_id"]
PARTNERSHIP_COLUMNS = ["partnership_id", "organisation_id", "partner_name", "partner_kind",
                       "signed_on", "purpose", "memorandum_ref"]
PARTNERSHIP_OPTIONAL: list[str] = []

# The registry command each kind of file is sent to, a row a call.
COMMANDS = {"strategies": "adopt_strategy", "projects": "launch_project",
            "partnerships": "sign_partnership"}


def fact_of(cells: dict[str, Any]) -> dict[str, str]:
    """A row as the command takes it: its cells' text, an empty cell left out (an optional
    column then takes its default; a required one is named as missing)."""
    return {name: value.strip() for name, value in cells.items()
            if name != "row" and isinstance(value, str) and value.strip()}


def import_rows(registry: Any, kind: str, programme_id: str, rows: list[dict[str, Any]],
                label: str = "") -> ImportReport:
    """Send each row of a `kind` file (a key of COMMANDS) for `programme_id`; the report
    by outcome: recorded, unchanged or rejected (with the reply's field and reason)."""
    send = getattr(registry, COMMANDS[kind])
    report = ImportReport()
    for cells in progress(rows, label=label or kind):
        try:
            reply = send(programme_id=programme_id, **fact_of(cells))
        except BaqylauError as exc:
            report.add({"row": cells["row"], "outcome": "rejected", "errors": exc.errors})
            continue
        report.add({"row": cells["row"], "outcome": reply["outcome"]})
    return report
