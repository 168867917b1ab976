"""`baqylau token issue|list|revoke`: funders' bearer tokens, through reporting's admin RPC.
A token is printed once, when issued; the platform keeps only its hash."""

from __future__ import annotations

import click

from cli.connect import cluster
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
            raise click.ClickException(
                f"funder {funder} is not in reporting's read model; if the registry has "
                "it, run `baqylau catch-up` and issue again") from None
    click.echo(f"token {issued['token_id']} for {issued['funder_id']} (shown once; keep it "
               "in the funder's secret store):", err=True)
    click.echo(issued["token"])


@token.command("list")
@click.option("--funder", help="Only this funder's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Revoked tokens too.")
def list_tokens(funder: str | None, include_revoked: bool) -> None:
    """Every token: id, funder, when created and last used (never the token itself)."""
    with cluster() as rpc:
        found = rpc.reporting.list_tokens(funder_id=funder, include_revoked=include_revoked)
    columns = ["token_id", "funder_id", "created_at", "last_used_at"]
    if include_revoked:
        columns.append("revoked_at")
    click.echo(table([{name: moment(line.get(name)) for name in columns}
                      for line in found["tokens"]], columns) or "no tokens")


@token.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke TOKEN_ID (tok_...): its requests and dashboard sessions stop at once."""
    with cluster() as rpc:
        rpc.reporting.revoke_token(token_id=token_id)
    click.echo(f"revoked {token_id}")

