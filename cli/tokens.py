"""`baqylau token issue|list|revoke`: funders' bearer tokens, through reporting's admin RPC.
A token is printed once, when issued; the platform keeps only its hash."""

from __future__ import annotations

import click

from cli.connect import cluster
from cli.errors import FOUND_PROBLEMS, fail
from cli.table import moment, table
from shared.errors import NotFound


@click.group("token")
def token() -> None:
    """Funders' bearer tokens for the report endpoints and the dashboard."""


@token.command("issue")
@click.argument("funder")
def issue(funder: str) -> None:
    """Issue a token for FUNDER (a funder id the read model knows) and print it, once."""
    with cluster() as rpc:
        try:
            issued = rpc.reporting.issue_token(funder_id=funder)
        except NotFound:
            fail(f"funder {funder} is not in reporting's read model",
                 "if the registry has it, run `baqylau catch-up` and issue again",
                 FOUND_PROBLEMS)
    click.echo(f"token {issued['token_id']} for {issued['funder_id']} (shown once; keep it "
               "in the funder's secret store):", err=True)
    click.echo(issued["token"])


@token.command("list")
@click.option("--funder", help="Only this funder's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Revoked tokens too.")
def list_tokens(funder: str | None, include_revoked: bool) -> None:
    """Every token: id, funder, when created and last used, in UTC (never the token
    itself)."""
    with cluster() as rpc:
        found = rpc.reporting.list_tokens(funder_id=funder, include_revoked=include_revoked)
    times = ["created_at", "last_used_at", *(["revoked_at"] if include_revoked else [])]
    click.echo(table([listed(line, times) for line in found["tokens"]],
                     ["token_id", "funder_id", *times]) or "no tokens")


def listed(line: dict, times: list[str]) -> dict:
    """A token's line as shown: ids whole, times in UTC (cli/table.py `moment`)."""
    return {"token_id": line["token_id"], "funder_id": line["funder_id"],
            **{name: moment(line.get(name)) for name in times}}


@token.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke TOKEN_ID (tok_...): its requests and dashboard sessions stop at once."""
    with cluster() as rpc:
        rpc.reporting.revoke_token(token_id=token_id)
    click.echo(f"revoked {token_id}")

