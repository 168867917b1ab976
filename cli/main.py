"""`baqylau`: the one command line for operators and integrators.

    baqylau token issue|list|revoke     funders' bearer tokens
    baqylau access grant|revoke|list    which calling systems may do what
    baqylau import KIND FILE            any bulk import (CSV or XLSX)
    baqylau template KIND               an empty import file with the right columns
    baqylau list courses|rounds|...     the ids an import names, for a programme
    baqylau status                      is every service ready, are the relays keeping up
    baqylau catch-up|rebuild|reconcile  reporting's read model
    baqylau dead-letters list|replay    events reporting set aside

It talks to the services as they talk to each other: RPC over the broker at AMQP_URI (else
as the local stack's operators) and their HTTP ports (docs/cli.md). Every call has a
deadline; what goes wrong is one line on standard error, `baqylau: <what>; <what to do>`
(cli/errors.py), never a traceback. Exit status: 0 fine, 1 refused or needs attention (rows
rejected, differences, a service not ready), 2 the command could not run (bad credentials,
unusable input, a misused option, a part not answering).
"""

from __future__ import annotations

import warnings

# An operator's terminal is no place for eventlet's notice to developers.
warnings.filterwarnings("ignore", message="\nEventlet is deprecated")

import eventlet  # noqa: E402

# nameko's standalone proxy waits on sockets: patched first, or its reads block the hub.
eventlet.monkey_patch()

from typing import Any  # noqa: E402

import click  # noqa: E402
from nameko.exceptions import MethodNotFound, RemoteError  # noqa: E402

from cli import access, imports, operations, status, templates, tokens  # noqa: E402
from cli.connect import PlatformError  # noqa: E402
from cli.errors import fail  # noqa: E402
from cli.listing import list_group  # noqa: E402
from shared.errors import BaqylauError  # noqa: E402


def refusal(exc: BaqylauError) -> str:
    """The service's message and, for each field it names, the reasons."""
    reasons = "; ".join(f"{name}: {' '.join(map(str, why if isinstance(why, list) else [why]))}"
                        for name, why in sorted((exc.errors or {}).items())
                        if name != "_schema" or why != [exc.message])
    return f"refused: {exc.message}" + (f" ({reasons})" if reasons else "")


# click >= 8.2 raises this (a UsageError) for a group run without a subcommand.
NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", click.exceptions.Exit)


def misuse(exc: click.UsageError) -> str:
    """How to see what the command takes: the help of the command that was misused."""
    path = exc.ctx.command_path if exc.ctx is not None else "baqylau"
    return f"see `{path} --help`"


class Baqylau(click.Group):
    """Turns every failure into one line (cli/errors.py) and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, SystemExit, NO_ARGS_IS_HELP):
            raise  # a group run bare shows its help, as click does
        except click.UsageError as exc:  # click's own "Usage: ... Error: ..." block otherwise
            fail(exc.format_message().rstrip("."), misuse(exc), exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), code=exc.exit_code)
        except PlatformError as exc:
            fail(str(exc))
        except BaqylauError as exc:
            fail(refusal(exc), code=1)
        except MethodNotFound as exc:
            fail(f"the running service has no method {exc}: it runs an older version of "
                 "Baqylau", "restart it with this one")
        except RemoteError as exc:
            fail(f"the service failed: {exc.exc_type}: {exc.value}"[:500],
                 "see the service's log; running the same command again is safe")
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        except KeyboardInterrupt:
            fail("interrupted", "running the same command again is safe (it stores nothing "
                 "twice)", 130)
        except Exception as exc:  # noqa: BLE001 - the promise: never a traceback
            fail(f"unexpected {type(exc).__name__}: {exc}"[:500])


@click.group(cls=Baqylau, context_settings={"help_option_names": ["-h", "--help"]},
             help=__doc__.split("\n\n")[0].strip("`: ").replace("`", ""))
def baqylau() -> None:
    pass


for command in (tokens.token, access.access, imports.import_file, templates.template, status.status,
                operations.catch_up, operations.rebuild, operations.reconcile,
                operations.dead_letters):
    baqylau.add_command(command)
baqylau.add_command(list_group)


def main() -> None:
    """The console script (`[project.scripts]` in pyproject.toml)."""
    baqylau(prog_name="baqylau")


if __name__ == "__main__":
    main()
