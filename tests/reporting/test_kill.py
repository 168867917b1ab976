"""Killing reporting (SIGKILL) in the middle of a stream of events loses nothing and counts
nothing twice: after a restart, reconciliation with the registry's log finds no difference."""

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import find_free_port

from scripts.seed_registry import generate
from services.registry.service import RegistryService
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def reporting_process(tmp_path, rabbit_config, pg_databases):
    store = pg_databases()
    config = {"AMQP_URI": rabbit_config["AMQP_URI"],
              "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
              "READ_MODEL": {k: store[k] for k in ("host", "port", "dbname", "user",
                                                   "password")}
              | {"catch_up_interval": 1, "sources": ["registry"]}}
    path = tmp_path / "reporting.yaml"
    path.write_text(yaml.safe_dump(config))
    processes = []

    def start():
        process = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(path),
             "services.reporting.service:ReportingService"], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        return process

    yield start, config
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigkill_mid_stream_loses_and_double_counts_nothing(container_factory, rabbit_config,
                                                            pg_databases, reporting_process):
    start, reporting_config = reporting_process
    registry_config = {**rabbit_config, "EVENT_STORE": pg_databases(),
                       "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
                       "RELAY": {"poll_interval": 0.2, "batch_size": 50}}
    container_factory(RegistryService, registry_config).start()
    seed = generate()
    victim = start()
    time.sleep(3)  # its queue exists: from here on events also arrive live
    with ServiceRpcProxy("registry", registry_config) as registry:
        for funder in seed.funders:
            registry.register_funder(**funder)
        for programme in seed.programmes:
            registry.launch_programme(**programme)
        for commitment in seed.commitments:
            registry.commit_funding(**commitment)
        rows = [{**row, "row": n} for n, row in enumerate(seed.rows["2024-2025"], start=2)]
        for first in range(0, len(rows), 100):
            registry.import_organisations(school_year="2024-2025", rows=rows[first:first + 100])
            if first == 200:
                os.kill(victim.pid, signal.SIGKILL)  # mid-stream, mid-batch perhaps
                victim.wait()
        joins = [registry.join_programme.call_async(**j) for j in seed.joins]
        for reply in joins:
            reply.result()
        stored = registry.notifications(after=0, limit=1)["last_notification_id"]
    start()
    with ServiceRpcProxy("reporting", reporting_config) as reporting:
        deadline = time.monotonic() + 60
        while True:
            try:
                check = reporting.reconcile()
                if not check["differences"] and len(check["programmes"]) == 4:
                    break
            except Exception:  # noqa: BLE001 - still starting
                check = None
            assert time.monotonic() < deadline, check
            time.sleep(1)
        assert check["events_read"] > 900 and stored > 900  # 439 organisations, 439 joins...
        assert check["differences"] == []
