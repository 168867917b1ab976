"""`baqylau access grant|revoke|list`: which calling systems may do what.

A calling system is a principal: its broker user. A grant gives it a role for some
programmes, and is recorded twice over: as a fact in the registry, which every service
checks each call against (in force everywhere within about a second), and, unless
`--no-broker`, as the principal's permissions on the broker, made from the same role
(shared/access/broker.py), so RabbitMQ refuses a call outside the role before any service
sees it. The broker user itself is the broker operator's to create."""

from __future__ import annotations

from typing import Any

import click

from cli.connect import cluster
from cli.errors import FOUND_PROBLEMS, fail
from cli.permissions import BrokerPermissions
from cli.table import moment, table
from shared.access.roles import ALL_PROGRAMMES, GRANTABLE, RECORDS

ROLES_HELP = "; ".join(
    f"{role}: records in {' and '.join(sorted(RECORDS[role]))}" if RECORDS.get(role)
    else f"{role}: reads only" for role in GRANTABLE)
GRANTED = ["principal", "role", "programmes", "granted at", "granted by", "reason"]
REVOKED = ["principal", "role", "programmes", "revoked at", "revoked by", "reason"]

_NO_BROKER = click.option(
    "--no-broker", is_flag=True,
    help="Record the fact in the registry only and leave the broker's permissions as they "
    "are (where the broker's definitions are managed elsewhere).")


@click.group("access")
def access() -> None:
    """Who may call the platform: roles granted to calling systems' broker users."""


@access.command("grant")
@click.argument("principal")
@click.option("--role", required=True, type=click.Choice(GRANTABLE),
              help=f"What it may call ({ROLES_HELP}; every role may query and read the "
              "event logs of its services).")
@click.option("--programme", "programmes", multiple=True, metavar="PROGRAMME_ID",
              help="A programme it may record for; repeat for several.")
@click.option("--all-programmes", is_flag=True, help="Every programme, today's and later.")
@click.option("--reason", help="Why, kept with the grant.")
@_NO_BROKER
def grant(principal: str, role: str, programmes: tuple[str, ...], all_programmes: bool,
          reason: str | None, no_broker: bool) -> None:
    """Grant PRINCIPAL (a broker user) ROLE for the given programmes. It replaces the
    principal's earlier grant; the same grant sent again changes nothing."""
    if bool(programmes) == all_programmes:
        raise click.UsageError("give --programme (once or more) or --all-programmes")
    broker = None if no_broker else BrokerPermissions.of_cli()
    if broker is not None and not broker.user_exists(principal):
        fail(f"there is no broker user {principal!r}",
             f"the broker's operator creates it first (e.g. `rabbitmqctl add_user {principal} "
             "PASSWORD`), then grant again; or pass --no-broker where the broker's users are "
             "managed elsewhere", FOUND_PROBLEMS)
    with cluster() as rpc:
        before = {g["principal"]: g["role"] for g in rpc.registry.list_access()["grants"]}
        granted = rpc.registry.grant_access(
            principal=principal, role=role, reason=reason,
            programmes=[ALL_PROGRAMMES] if all_programmes else list(programmes))
    click.echo(f"granted {principal} the role {granted['role']} for "
               f"{_programmes(granted['programmes'])}")
    if broker is None:
        click.echo("broker permissions left as they are (--no-broker)")
        return
    closed = broker.allow(principal, role, changed=before.get(principal) not in (None, role))
    click.echo(f"broker permissions of {principal} on vhost {broker.vhost!r} set for the "
               f"role {role}" + (f"; {closed} open connection(s) of the former role closed"
                                 if closed else ""))


@access.command("revoke")
@click.argument("principal")
@click.option("--reason", required=True, help="Why, kept with the revocation.")
@_NO_BROKER
def revoke(principal: str, reason: str, no_broker: bool) -> None:
    """Revoke PRINCIPAL's grant: every service refuses its calls within about a second, and
    the broker refuses them at once."""
    broker = None if no_broker else BrokerPermissions.of_cli()
    has_user = broker is not None and broker.user_exists(principal)
    with cluster() as rpc:
        revoked = rpc.registry.revoke_access(principal=principal, reason=reason)
    click.echo(f"revoked {principal}'s grant (the role {revoked['role']} for "
               f"{_programmes(revoked['programmes'])})")
    if broker is None:
        click.echo("broker permissions left as they are (--no-broker)")
    elif not has_user:
        click.echo(f"broker user {principal!r} does not exist: no permissions to remove")
    else:
        closed = broker.remove(principal)
        click.echo(f"broker permissions of {principal} on vhost {broker.vhost!r} removed; "
                   f"{closed} open connection(s) closed")


@access.command("list")
@click.option("--revoked", "include_revoked", is_flag=True,
              help="The revoked grants too: when, by whom and why.")
def list_access(include_revoked: bool) -> None:
    """The grants in force: principal, role, programmes, when, by whom and why."""
    with cluster() as rpc:
        found = rpc.registry.list_access(include_revoked=include_revoked)
    click.echo(table([_granted(g) for g in found["grants"]], GRANTED) or "no grants")
    if include_revoked:
        click.echo("\nrevoked:\n" + (table([_revoked(g) for g in found.get("revoked", [])],
                                           REVOKED) or "none"))


def _programmes(programmes: list[str]) -> str:
    return "every programme" if ALL_PROGRAMMES in programmes else ", ".join(programmes)


def _granted(grant: dict[str, Any]) -> dict[str, Any]:
    return {"principal": grant["principal"], "role": grant["role"],
            "programmes": _programmes(grant["programmes"]),
            "granted at": moment(grant.get("granted_at")), "granted by": grant["granted_by"],
            "reason": grant.get("reason") or ""}


def _revoked(grant: dict[str, Any]) -> dict[str, Any]:
    return {"principal": grant["principal"], "role": grant["role"],
            "programmes": _programmes(grant["programmes"]),
            "revoked at": moment(grant.get("revoked_at")),
            "revoked by": grant.get("revoked_by", ""),
            "reason": grant.get("revoke_reason") or ""}
