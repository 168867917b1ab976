"""Sending the demo's calls: as which principal (each seed goes as the system it comes from,
scripts/principals.py), a file's imports naming the file, and many calls with a few in
flight, with a progress bar."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterable, Iterator

from tqdm import tqdm

from cli.provenance import source_headers
from scripts import principals
from shared.calling import ClusterRpcProxy

IN_FLIGHT = 20

# A proxy whose every call names `path`, the file imported (its name and SHA-256 are kept on
# each event stored: shared/access/caller.py).
Importing = Callable[[Path], ContextManager[Any]]


def uri_of(principal: str) -> str:
    """AMQP_URI, if given, for every principal (one broker user then sends everything, as
    the services share it: scripts/services.sh); else `principal`'s local broker user."""
    given = os.environ.get("AMQP_URI")
    if given:
        return given
    if not (principals.FOLDER / principal).exists():
        raise SystemExit(f"no broker user {principal} in {principals.FOLDER}: run `make up` "
                         "(it runs `python -m scripts.principals ensure`)")
    return principals.uri(principal)


@contextmanager
def connected(principal: str, path: Path | None = None) -> Iterator[Any]:
    """An RPC proxy calling as `principal`; with `path`, every call names that file."""
    headers = source_headers(path) if path is not None else None
    with ClusterRpcProxy({"AMQP_URI": uri_of(principal)}, headers=headers) as rpc:
        yield rpc


def importing_as(principal: str) -> Importing:
    return lambda path: connected(principal, path)


def same_proxy(rpc: Any) -> Importing:
    """Every file through `rpc` as it is, unnamed: for a caller with one proxy (the tests)."""
    return lambda path: nullcontext(rpc)


def call_all(label: str, items: Iterable[Any], call: Callable[[Any], Any]) -> list[Any]:
    """Send calls `IN_FLIGHT` at a time (call returns an async reply); keep input order."""
    items = list(items)
    results: list[Any] = []
    with tqdm(total=len(items), desc=f"{label:<22}", unit="call", file=sys.stdout) as bar:
        for first in range(0, len(items), IN_FLIGHT):
            pending = [call(item) for item in items[first:first + IN_FLIGHT]]
            for reply in pending:
                results.append(reply.result())
                bar.update()
    return results
