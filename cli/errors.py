"""The command line's one error style: `baqylau: <what went wrong>; <what to do>` on standard
error. Exit status 2 for a command that cannot run at all (bad credentials, an unknown
programme, an unreadable file), 1 for one that ran and found problems (rows rejected)."""

from __future__ import annotations

from typing import NoReturn

import click

PREFIX = "baqylau: "
CANNOT_RUN, FOUND_PROBLEMS = 2, 1


def line(what: str, todo: str | None = None) -> str:
    """The one line: what went wrong and, when there is something to do, what."""
    return PREFIX + what + (f"; {todo}" if todo else "")


def warn(what: str, todo: str | None = None) -> None:
    """Say it on standard error and carry on."""
    click.echo(line(what, todo), err=True)


def fail(what: str, todo: str | None = None, code: int = CANNOT_RUN) -> NoReturn:
    """Say it on standard error and stop with `code`. click's Exit, so click's own test runner
    and the command's group see the status, not a traceback."""
    warn(what, todo)
    raise click.exceptions.Exit(code)
