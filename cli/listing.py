"""`baqylau list courses|rounds|commitments|organisations --programme P`: the ids an import
names, as the services hold them, so that an operator fills a template without reading logs.

The registry is asked first whether the programme exists: an unknown one is a command that
cannot run (exit 2), not an empty list. Each list is one read-only query of the service that
owns it (training's list_courses, assessment's list_rounds, the registry's get_programme and
list_organisations).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import click

from cli.connect import Cluster, cluster
from cli.errors import fail
from cli.table import table
from services.registry import kato
from shared.errors import InvalidInput, NotFound

ORGANISATIONS_PAGE = 500  # the registry's largest page


@dataclass(frozen=True)
class Listing:
    """What one `list` subcommand fetches, and the operator's columns for each record."""

    name: str
    short: str  # the line in `baqylau list --help`
    help: str
    fetch: Callable[[Cluster, dict[str, Any]], list[dict[str, Any]]]
    columns: dict[str, Callable[[dict[str, Any]], Any]]


def _courses(rpc: Cluster, programme: dict[str, Any]) -> list[dict[str, Any]]:
    return rpc.training.list_courses(programme_id=programme["programme_id"])["courses"]


def _rounds(rpc: Cluster, programme: dict[str, Any]) -> list[dict[str, Any]]:
    return rpc.assessment.list_rounds(programme_id=programme["programme_id"])["rounds"]


def _commitments(_: Cluster, programme: dict[str, Any]) -> list[dict[str, Any]]:
    return programme["commitments"]  # the programme's own view holds them


def _organisations(rpc: Cluster, programme: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after = None
    while True:  # page by page: a programme may have more than a page of schools
        page = rpc.registry.list_organisations(programme_id=programme["programme_id"],
                                               after=after, limit=ORGANISATIONS_PAGE)
        found += page["items"]
        after = page["next_after"]
        if after is None:
            return found


def _joined(values: Any) -> str:
    return ",".join(map(str, values))


def _district(organisation: dict[str, Any]) -> str:
    return kato.place(organisation["kato"]).district_name


LISTINGS = (
    Listing("courses", "course codes, for a training import",
            "The programme's courses: the course_code a training import names.",
            _courses, {"code": lambda c: c["code"], "title": lambda c: c["title"],
                       "role": lambda c: c["audience"], "format": lambda c: c["format"],
                       "planned_hours": lambda c: c["planned_hours"],
                       "completion_hours": lambda c: c["completion_hours"]}),
    Listing("rounds", "round ids, for a scores import",
            "The programme's assessment rounds: the round_id a scores import names.",
            _rounds, {"round_id": lambda r: r["round_id"], "phase": lambda r: r["phase"],
                      "school_year": lambda r: r["school_year"],
                      "grades": lambda r: _joined(r["grades"]),
                      "subjects": lambda r: _joined(sorted(r["subjects"])),
                      "opened_on": lambda r: r["opened_on"],
                      "closed_on": lambda r: r["closed_on"] or "open"}),
    Listing("commitments", "commitment ids, for a spending import",
            "The funders' commitments to the programme: the commitment_id an "
            "expenditures or disbursements import names.",
            _commitments, {"commitment_id": lambda c: c["commitment_id"],
                           "funder": lambda c: c["funder_id"], "scope": lambda c: c["scope"],
                           "amount_kzt": lambda c: c["amount_kzt"],
                           "disbursed_kzt": lambda c: c["disbursed_kzt"],
                           "committed_on": lambda c: c["committed_on"]}),
    Listing("organisations", "organisation ids, for any import",
            "The organisations taking part in the programme: the school_id "
            "(organisation_id) the imports name.",
            _organisations, {"organisation_id": lambda o: o["organisation_id"],
                             "name": lambda o: o["name_ru"], "kind": lambda o: o["kind"],
                             "district": _district}),
)


@click.group("list")
def list_group() -> None:
    """The ids an import names: courses, rounds, commitments, organisations of a programme."""


def known_programme(rpc: Cluster, programme_id: str) -> dict[str, Any]:
    """The programme, or one line and exit 2: a list or an import for a programme that does
    not exist (or an id no programme could have) cannot run at all."""
    try:
        return rpc.registry.get_programme(programme_id=programme_id)  # type: ignore[no-any-return]
    except (NotFound, InvalidInput):
        fail(f"no programme '{programme_id}'",
             "check the id: it is the programme_id the registry launched it with "
             "(e.g. baquatty-audan)")


def _subcommand(listing: Listing) -> click.Command:
    @click.command(listing.name, help=listing.help, short_help=listing.short)
    @click.option("--programme", "programme_id", required=True, metavar="PROGRAMME",
                  help="The programme's id, e.g. baquatty-audan.")
    @click.option("--json", "as_json", is_flag=True,
                  help="The records as the services give them, one JSON array on standard "
                       "output, instead of the table.")
    def run(programme_id: str, as_json: bool) -> None:
        with cluster() as rpc:
            records = listing.fetch(rpc, known_programme(rpc, programme_id))
        if as_json:
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
            return
        rows = [{name: cell(record) for name, cell in listing.columns.items()}
                for record in records]
        click.echo(table(rows, list(listing.columns))
                   or f"no {listing.name} in programme {programme_id}")
    return run


for _listing in LISTINGS:
    list_group.add_command(_subcommand(_listing))
