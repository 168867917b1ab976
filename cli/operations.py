"""Reporting's maintenance over its admin RPC: catch-up, rebuild, reconcile; and every
consumer's dead letters. Each is idempotent, so an interrupted one is simply run again."""

from __future__ import annotations

import click

from cli.connect import cluster
from cli.errors import FOUND_PROBLEMS
from cli.table import table

LONG = 900.0  # seconds: a rebuild or a reconciliation reads every service's whole log


def _long_timeout(given: float | None) -> float:
    return given or LONG


@click.command("catch-up")
def catch_up() -> None:
    """Read every service's log into reporting's read model now; prints events applied."""
    with cluster(_long_timeout(None)) as rpc:
        applied = rpc.reporting.catch_up()
    click.echo(table([{"source": k, "events applied": v} for k, v in sorted(applied.items())],
                     ["source", "events applied"]) or "no sources")


@click.command("rebuild")
@click.option("--timeout", type=float, help=f"Seconds to wait (default {LONG:g}).")
def rebuild(timeout: float | None) -> None:
    """Build the read model afresh from the logs beside the live one, then switch to it."""
    with cluster(_long_timeout(timeout)) as rpc:
        done = rpc.reporting.rebuild()
    click.echo(f"rebuilt {done.get('schema')} (replaced {done.get('replaced')}): "
               f"{done.get('events_applied')} events in {done.get('seconds')} s")


@click.command("reconcile")
@click.option("--timeout", type=float, help=f"Seconds to wait (default {LONG:g}).")
def reconcile(timeout: float | None) -> None:
    """Recompute every figure from the services' logs and compare with the read model;
    prints each difference. Exit status 1 if there is any."""
    with cluster(_long_timeout(timeout)) as rpc:
        found = rpc.reporting.reconcile()
    differences = found.get("differences") or []
    click.echo(f"{found.get('events_read')} events re-read, "
               f"{len(found.get('programmes') or [])} programmes, "
               f"{len(differences)} differences")
    if differences:
        columns = sorted({name for line in differences for name in line})
        click.echo(table(differences, columns))
        raise click.exceptions.Exit(FOUND_PROBLEMS)


# Every consumer of another service's events keeps its dead letters (shared/poison.py).
CONSUMERS = ("equipment", "assessment", "reporting")
_SERVICE = click.option("--service", type=click.Choice(CONSUMERS),
                        help="One consumer (default: each in turn).")


def _consumers(service: str | None) -> tuple[str, ...]:
    return (service,) if service else CONSUMERS


@click.group("dead-letters")
def dead_letters() -> None:
    """Events a consumer (equipment, assessment, reporting) could not apply, set aside in its
    dead-letter queue (`<service>.dead-letter`)."""


@dead_letters.command("list")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True)
@_SERVICE
def list_letters(limit: int, service: str | None) -> None:
    """What waits, oldest first: event id, type, source, the queue it came from, kind of
    failure and reason."""
    with cluster() as rpc:
        for consumer in _consumers(service):
            found = getattr(rpc, consumer).list_dead_letters(limit=limit)
            click.echo(f"{consumer}: {found['waiting']} dead letters waiting")
            if found["letters"]:
                click.echo(table(found["letters"],
                                 ["id", "type", "source", "queue", "failure", "reason"]))


@dead_letters.command("replay")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@_SERVICE
def replay(limit: int, service: str | None) -> None:
    """After fixing what failed them, send dead letters back to the queues they came from
    (an event already applied stays a no-op)."""
    with cluster() as rpc:
        for consumer in _consumers(service):
            done = getattr(rpc, consumer).replay_dead_letters(limit=limit)
            click.echo(f"{consumer}: replayed {done['replayed']}")
