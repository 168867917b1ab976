"""`baqylau`: the one command line for operators and integrators.

    baqylau token issue|list|revoke     funders' bearer tokens
    baqylau access grant|revoke|list    which calling systems may do what
    baqylau import KIND FILE            any bulk import (CSV or XLSX)
    baqylau template KIND               an empty import file with the right columns
    baqylau status                      is every service ready, are the relays keeping up
    baqylau catch-up|rebuild|reconcile  reporting's read model
    baqylau dead-letters list|replay    events reporting set aside

It talks to the services as they talk to each other: RPC over the broker at AMQP_URI (else
as the local stack's operators) and their HTTP ports (docs/cli.md). Every call has a
deadline; what goes wrong is one line on standard error, never a traceback. Exit status:
0 fine, 1 refused or needs attention (rows rejected, differences, a service not ready),
2 unusable input or a part not answering.
"""

from __future__ import annotations

import warnings

# An operator's terminal is no place for eventlet's notice to developers.
warnings.filterwarnings("ignore", message="\nEventlet is deprecated")

import eventlet  # noqa: E402

# nameko's standalone proxy waits on sockets: patched first, or its reads block the hub.
eventlet.monkey_patch()

import sys  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402
from nameko.exceptions import MethodNotFound, RemoteError  # noqa: E402

from cli import access, imports, operations, status, templates, tokens  # noqa: E402
from cli.connect import PlatformError  # noqa: E402
from shared.errors import BaqylauError  # noqa: E402


def refusal(exc: BaqylauError) -> str:
    """The service's message and, for each field it names, the reasons."""
    reasons = "; ".join(f"{name}: {' '.join(map(str, why if isinstance(why, list) else [why]))}"
                        for name, why in sorted((exc.errors or {}).items())
                        if name != "_schema" or why != [exc.message])
    return f"refused: {exc.message}" + (f" ({reasons})" if reasons else "")


def fail(message: str, code: int) -> None:
    click.echo(f"baqylau: {message}", err=True)
    sys.exit(code)


class Baqylau(click.Group):
    """Turns every failure into one line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except PlatformError as exc:
            fail(str(exc), 2)
        except BaqylauError as exc:
            fail(refusal(exc), 1)
        except MethodNotFound as exc:
            fail(f"the running service has no method {exc}: it runs an older version of "
                 "Baqylau; restart it with this one", 2)
        except RemoteError as exc:
            fail(f"the service failed: {exc.exc_type}: {exc.value}"[:500], 2)
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 2)
        except KeyboardInterrupt:
            fail("interrupted; running the same command again is safe (it stores nothing "
                 "twice)", 130)
        except Exception as exc:  # noqa: BLE001 - the promise: never a traceback
            fail(f"unexpected {type(exc).__name__}: {exc}"[:500], 2)


@click.group(cls=Baqylau, context_settings={"help_option_names": ["-h", "--help"]},
             help=__doc__.split("\n\n")[0].strip("`: ").replace("`", ""))
def baqylau() -> None:
    pass


for command in (tokens.token, access.access, imports.import_file, templates.template, status.status,
                operations.catch_up, operations.rebuild, operations.reconcile,
                operations.dead_letters):
    baqylau.add_command(command)


def main() -> None:
    """The console script (`[project.scripts]` in pyproject.toml)."""
    baqylau(prog_name="baqylau")


if __name__ == "__main__":
    main()
