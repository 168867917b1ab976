"""Backup and restore, as docs/backup.md has an operator do it: every event store dumped
(pg_dump) while the load runs, each restored into a new database, the services started on
the restored stores (a new vhost: a platform of its own), reporting rebuilt from an empty read
model out of the restored logs alone, then reconciled: 0 differences. What is lost at most is
what each store recorded after its dump started; the drill measures it and the times.

`make faults` only (it takes about two minutes; `make test`'s drill is at its budget)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from pathlib import Path

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from scripts.seed_equipment import RULE
from scripts.seed_registry import _Maker
from scripts.seed_registry import generate as registry_seed
from scripts.seed_training import generate as training_seed
from tests.conftest import (
    PG_HOST,
    PG_PORT,
    PG_SUPERPASS,
    PG_SUPERUSER,
    ROOT,
    create_database,
    drop_databases,
    throwaway_databases,
    throwaway_vhost,
)
from tests.faults import verify
from tests.faults.platform import Platform
from tests.faults.rounds import watch
from tests.faults.workload import Chunk, Client, Ledger, Load, chunk_jobs, set_up

STORES = ("registry", "equipment", "assessment", "training")
# One round's load of the drill without replicas, long enough for the dumps to land mid-way.
ORGANISATIONS, TEACHERS = 1000, 220
FIGURES = ROOT / ".stack" / "backup-figures.json"
DUMP_AFTER = 30  # seconds into the load (about half of it)

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.timeout(900),
              pytest.mark.skipif(os.environ.get("FAULT_ROUNDS") == "quick",
                                 reason="make faults only: make test's drill is at budget")]


def pg_tool(name: str, *args: str) -> None:
    """A PostgreSQL client program (pg_dump, pg_restore) as the superuser, with a deadline."""
    tool = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))[-1]
    subprocess.run([str(tool), "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_SUPERUSER, *args],
                   check=True, capture_output=True, timeout=300,
                   env={**os.environ, "PGPASSWORD": PG_SUPERPASS})


def dump(store: dict, path: Path) -> float:
    started = time.monotonic()
    # -Fc: one consistent snapshot of the database (pg_dump's own transaction), compressed.
    pg_tool("pg_dump", "-Fc", "-f", str(path), store["dbname"])
    return time.monotonic() - started


def restore(path: Path) -> tuple[dict, float]:
    started = time.monotonic()
    store = create_database()  # a new, empty database, owned by the services' role
    pg_tool("pg_restore", "--no-owner", "--role=training", "-d", store["dbname"], str(path))
    return store, time.monotonic() - started


@pytest.fixture(scope="module")
def drill(rabbit_manager, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("backup")
    restored: dict[str, dict] = {}
    figures: dict = {}
    with throwaway_vhost(rabbit_manager, "baqylau_backup") as vhost, \
            throwaway_databases() as databases:
        (workdir / "live").mkdir()
        live = Platform(workdir / "live", vhost, databases)
        try:
            live.start_all()
            ledger = Ledger()
            client = Client(vhost, ledger)
            courses = set_up(client, registry_seed(), training_seed(), RULE)
            client.close()
            jobs = chunk_jobs(Chunk(0, ORGANISATIONS, TEACHERS), _Maker(random.Random(5)),
                              courses, ledger)
            load = Load(vhost, ledger, jobs)
            eventlet.sleep(DUMP_AFTER)  # the dumps start mid-load
            figures["dump_seconds"] = {name: round(dump(live.stores[name],
                                                        workdir / f"{name}.dump"), 2)
                                       for name in STORES}
            watch(live, load, 420, "the load during the dumps")
            with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=60) as rpc:
                figures["events_at_the_end"] = verify.events_stored(rpc)
            # The same dumps of the whole stores, for what a backup of this size costs.
            figures["dump_seconds_at_the_end"] = {
                name: round(dump(live.stores[name], workdir / f"{name}-end.dump"), 2)
                for name in STORES}
        finally:
            live.stop_all()
    figures["dump_bytes"] = {name: (workdir / f"{name}.dump").stat().st_size
                             for name in STORES}
    try:
        for name in STORES:
            restored[name], seconds = restore(workdir / f"{name}.dump")
            figures.setdefault("restore_seconds", {})[name] = round(seconds, 2)
        figures.update(rebuilt(rabbit_manager, workdir / "restored", restored))
    finally:
        drop_databases([store["dbname"] for store in restored.values()])
    figures["events_lost"] = {name: figures["events_at_the_end"][name]
                              - figures["events_restored"][name] for name in STORES}
    FIGURES.write_text(json.dumps(figures, indent=2))
    print("\n" + json.dumps(figures, indent=2))
    return figures


def rebuilt(rabbit_manager, workdir: Path, restored: dict[str, dict]) -> dict:
    """The restored stores under services of their own and an empty read model: catch up
    from their logs, reconcile."""
    workdir.mkdir()
    with throwaway_vhost(rabbit_manager, "baqylau_restored") as vhost, \
            throwaway_databases() as databases:
        given = iter([restored[name] for name in STORES])
        platform = Platform(workdir, vhost, lambda: next(given, None) or databases())
        try:
            started = time.monotonic()
            platform.start_all()
            with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=300) as rpc:
                rpc.reporting.catch_up()
                rebuild_seconds = time.monotonic() - started
                reconciliation = rpc.reporting.reconcile()
                stored = verify.events_stored(rpc)
            _, public = verify.stored_facts(vhost)
        finally:
            platform.stop_all()
    return {"events_restored": stored, "rebuild_seconds": round(rebuild_seconds, 1),
            "events_reconciled": reconciliation["events_read"], "public_events": public,
            "differences": reconciliation["differences"]}


def test_the_read_model_rebuilt_from_the_restored_logs_reconciles(drill):
    assert drill["differences"] == [], drill
    # Every public event of the restored logs was read, and the dumps were not empty.
    assert drill["events_reconciled"] >= drill["public_events"] > 100, drill


def test_at_most_what_came_after_each_dump_is_lost(drill):
    for name in STORES:
        assert 0 < drill["events_restored"][name] <= drill["events_at_the_end"][name], drill
