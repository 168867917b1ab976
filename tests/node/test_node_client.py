"""A client in another language (Node.js, amqplib) against the RPC edge and the public
events, as an outside system a deployment connects: tests/node/client.test.js, written from
the published documents only.

Registry and training run in nameko containers on a throwaway vhost and throwaway databases;
the registry is seeded here over RPC, as the operators (guest in the tests): a funder and its
programme with two schools, another programme with a school of its own. The Node process is
a broker user of its own with the academy role's permissions, granted `academy` for the first
programme only; it gets its own AMQP URL and those ids in its environment. When it asks, the
grant is revoked while it keeps calling. `make node` (a step of `make test`) installs Node.js
and the locked npm packages; without them this test fails saying so, it is never skipped."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

import eventlet
import kombu
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.registry.service import RegistryService
from services.training.service import TrainingService
from shared.publisher import events_exchange
from tests.conftest import ROOT, config_for
from tests.principals import broker_users
from tests.training.registry import bin_of

pytestmark = pytest.mark.integration

NODE_DIR = ROOT / "tests/node"
CLIENT = NODE_DIR / "client.test.js"
NODE_OWN_TIMEOUT = 60  # seconds: the Node process's own overall deadline
NODE_TIMEOUT = 90  # ours, longer: the Node process is killed if it outlives its own
# What the Node test prints when its grant is to be revoked (client.test.js REVOKE_SIGNAL).
REVOKE_SIGNAL = "baqylau-node-test: revoke my grant now"
SCHOOL_YEAR = "2024-2025"
KATO = "153220100"  # Aktobe region, Alga district
PROGRAMME = dict(name_kk="Node бағдарламасы", name_ru="Программа Node", regions=["15"],
                 start="2024-06-01", end="2025-05-31", models=["online_teaching"],
                 budget_kzt=50_000_000)


def school(organisation_id: str, bin_: str) -> dict:
    return dict(organisation_id=organisation_id, bin=bin_, kind="school",
                name_kk=f"{organisation_id} мектебі", name_ru=f"Школа {organisation_id}",
                kato=KATO, locality="rural", small_class=True, pupils=60, teachers=12,
                network_role=None, school_year=SCHOOL_YEAR)


def seed(registry) -> dict[str, str]:
    """A funder committing to a programme of two schools; another programme with its own
    school. Returns the ids the Node test is given."""
    registry.register_funder(funder_id="node-funder", name_kk="Node қоры",
                             name_ru="Фонд Node", organisation_type="60")
    registry.launch_programme(programme_id="node-programme", **PROGRAMME)
    registry.launch_programme(programme_id="node-other-programme",
                              **{**PROGRAMME, "name_kk": "Басқа", "name_ru": "Другая"})
    registry.commit_funding(programme_id="node-programme", funder_id="node-funder",
                            commitment_id="NODE-TRAINING", scope="training",
                            amount_kzt=10_000_000, committed_on="2024-06-01")
    members = {"NODE-SCH-1": "node-programme", "NODE-SCH-2": "node-programme",
               "NODE-OTHER-1": "node-other-programme"}
    for organisation_id, programme_id in members.items():
        registry.register_organisation(**school(organisation_id, bin_of(organisation_id)))
        registry.join_programme(programme_id=programme_id, organisation_id=organisation_id,
                                model="online_teaching", joined_on="2024-06-01")
    return {"PROGRAMME_ID": "node-programme", "OTHER_PROGRAMME_ID": "node-other-programme",
            "SCHOOL_ID": "NODE-SCH-1", "OTHER_SCHOOL_ID": "NODE-OTHER-1",
            "TRAINING_DAY": "2024-10-01"}


def declare_events_exchange(amqp_uri: str, service: str) -> None:
    """`<service>.events` as the service's relay declares it on its first publish. An outside
    subscriber may not declare exchanges (no `configure` on them), and on this new vhost
    training has published nothing yet."""
    with kombu.Connection(amqp_uri, connect_timeout=10) as connection:
        events_exchange(service)(connection.default_channel).declare()


def node_ready() -> str:
    """The node binary; fails (never skips) when Node.js or the npm packages are missing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: `make node` installs Debian's nodejs and npm "
                    "(a step of `make test`)", pytrace=False)
    for package in ("amqplib", "ajv", "ajv-formats"):
        if not (NODE_DIR / "node_modules" / package / "package.json").exists():
            pytest.fail(f"tests/node/node_modules/{package} is missing: `make node` runs "
                        "`npm ci` in tests/node (a step of `make test`)", pytrace=False)
    return node


def run_node(node: str, env: dict[str, str], timeout: float, output: Path,
             on_signal: Callable[[], str]) -> tuple[int | None, str]:
    """Run the Node test; (exit code or None if killed at the deadline, its output). When
    it prints REVOKE_SIGNAL, `on_signal()` runs and its answer is written to the Node
    process's stdin. The services run in this process's green threads: wait by polling,
    yielding to them."""
    with output.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([node, str(CLIENT)], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout
        answered = False
        while process.poll() is None and time.monotonic() < deadline:
            if not answered and REVOKE_SIGNAL in output.read_text(encoding="utf-8"):
                answered = True
                answer = on_signal()
                with contextlib.suppress(BrokenPipeError):  # gone: its output says why
                    process.stdin.write(answer + "\n")
                    process.stdin.flush()
            eventlet.sleep(0.2)
    finally:
        code = process.poll()
        if code is None:
            process.kill()
            process.wait()
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    return code, output.read_text(encoding="utf-8")


def test_a_node_client_commands_queries_and_subscribes_within_its_grant(
        container_factory, rabbit_config, rabbit_manager, pg_databases, tmp_path):
    node = node_ready()
    # Training first: its queues for the registry's events exist before anything is published.
    training_config = config_for(rabbit_config, pg_databases())
    registry_config = config_for(rabbit_config, pg_databases())
    container_factory(TrainingService, training_config).start()
    container_factory(RegistryService, registry_config).start()
    declare_events_exchange(rabbit_config["AMQP_URI"], "training")
    # The Node client is refused the reporting service's commands by the broker alone:
    # nothing here would answer them.
    queues = [q["name"] for q in rabbit_manager.get_queues(rabbit_config["vhost"])]
    assert "rpc-reporting" not in queues, queues
    with broker_users(rabbit_config["AMQP_URI"], {"academy": "academy"}) as principals:
        academy = principals["academy"]
        with ServiceRpcProxy("registry", registry_config) as registry:
            ids = seed(registry)
            registry.grant_access(principal=academy, role="academy",
                                  programmes=[ids["PROGRAMME_ID"]],
                                  reason="the Node client test's academy")

        def revoke() -> str:
            with ServiceRpcProxy("registry", registry_config, timeout=10) as registry:
                revoked = registry.revoke_access(
                    principal=academy, reason="the Node client test revokes it mid-flight")
            return f"revoked {revoked['revoked_at']}"

        amqp_url = principals.uris["academy"].replace("pyamqp://", "amqp://", 1)
        env = {**os.environ, **ids, "AMQP_URL": amqp_url,
               "FORGED_USER_ID": rabbit_config["username"],  # the operators' principal
               "DOCS_DIR": str(ROOT / "docs"), "NODE_TEST_TIMEOUT_S": str(NODE_OWN_TIMEOUT)}
        code, output = run_node(node, env, NODE_TIMEOUT, tmp_path / "node.out", revoke)
    print(output)  # shown with -s, and by pytest on a failure
    assert code is not None, (f"node {CLIENT.name} was still running after {NODE_TIMEOUT} s "
                              f"and was killed; its output:\n{output}")
    assert code == 0, f"node {CLIENT.name} exited {code}; its output:\n{output}"
