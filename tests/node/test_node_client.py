"""A client in another language (Node.js, amqplib) against the RPC edge and the public
events: tests/node/client.test.js, written from the published documents only.

Registry and training run in nameko containers on a throwaway vhost and throwaway databases;
the registry is seeded here over RPC (a funder and its programme with two schools, another
programme with a school of its own); the Node process gets the AMQP URL with the vhost and
those ids in its environment. `make node` (a step of `make test`) installs Node.js and the
locked npm packages; without them this test fails saying so, it is never skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.registry.service import RegistryService
from services.training.service import TrainingService
from shared.kz_bin import check_digit
from tests.conftest import ROOT, config_for

pytestmark = pytest.mark.integration

NODE_DIR = ROOT / "tests/node"
CLIENT = NODE_DIR / "client.test.js"
NODE_TIMEOUT = 120  # seconds; the Node process has its own overall deadline, shorter
SCHOOL_YEAR = "2024-2025"
KATO = "152230100"  # Aktobe region, Alga district
PROGRAMME = dict(name_kk="Node бағдарламасы", name_ru="Программа Node", regions=["15"],
                 start="2024-06-01", end="2025-05-31", models=["online_teaching"],
                 budget_kzt=50_000_000)


def bins(count: int) -> list[str]:
    """Well-formed BINs (resident legal entity, head office, valid check digit)."""
    found = []
    serial = 1
    while len(found) < count:
        first = f"2401400{serial:04d}"
        digit = check_digit(first)
        if digit is not None:
            found.append(f"{first}{digit}")
        serial += 1
    return found


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
    for (organisation_id, programme_id), bin_ in zip(members.items(), bins(len(members)),
                                                     strict=True):
        registry.register_organisation(**school(organisation_id, bin_))
        registry.join_programme(programme_id=programme_id, organisation_id=organisation_id,
                                model="online_teaching", joined_on="2024-06-01")
    return {"PROGRAMME_ID": "node-programme", "SCHOOL_ID": "NODE-SCH-1",
            "OTHER_SCHOOL_ID": "NODE-OTHER-1", "TRAINING_DAY": "2024-10-01"}


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


def run_node(node: str, env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """Run the Node test; (exit code or None if killed at the deadline, its output). The
    services run in this process's green threads: wait by polling, yielding to them."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as out:
        process = subprocess.Popen([node, str(CLIENT)], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            eventlet.sleep(0.2)
        if process.poll() is None:
            process.kill()
            process.wait()
            code = None
        else:
            code = process.returncode
        out.seek(0)
        return code, out.read()


def test_a_node_client_commands_queries_and_subscribes(container_factory, rabbit_config,
                                                       pg_databases):
    node = node_ready()
    # Training first: its queues for the registry's events exist before anything is published.
    training_config = config_for(rabbit_config, pg_databases())
    registry_config = config_for(rabbit_config, pg_databases())
    container_factory(TrainingService, training_config).start()
    container_factory(RegistryService, registry_config).start()
    with ServiceRpcProxy("registry", registry_config) as registry:
        ids = seed(registry)
    amqp_url = rabbit_config["AMQP_URI"].replace("pyamqp://", "amqp://", 1)
    env = {**os.environ, **ids, "AMQP_URL": amqp_url,
           "DOCS_DIR": str(ROOT / "docs"), "NODE_TEST_TIMEOUT_S": str(NODE_TIMEOUT - 30)}
    code, output = run_node(node, env, NODE_TIMEOUT)
    print(output)  # shown with -s, and by pytest on a failure
    assert code is not None, (f"node {CLIENT.name} was still running after {NODE_TIMEOUT} s "
                              f"and was killed; its output:\n{output}")
    assert code == 0, f"node {CLIENT.name} exited {code}; its output:\n{output}"
