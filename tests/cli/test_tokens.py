"""`baqylau token list` as an operator reads it, against a real registry and reporting
(`nameko run` processes on throwaway databases and a throwaway vhost): funder ids whole,
however long, and every time in UTC with its `Z`."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from scripts.seed_registry import FUNDERS
from tests.cli.run import baqylau
from tests.conftest import throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform

pytestmark = pytest.mark.integration
# Both longer than the 16 characters the list once cut them to.
LONG_FUNDERS = [f for f in FUNDERS if f["funder_id"] in ("qazaqstan-halqyna",
                                                         "akimat-west-kazakhstan")]
UTC_SECOND = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@pytest.fixture(scope="module")
def env(rabbit_manager, tmp_path_factory):
    with throwaway_vhost(rabbit_manager, "baqylau_tokens") as vhost, \
            throwaway_databases() as databases:
        running = Platform(tmp_path_factory.mktemp("tokens"), vhost, databases,
                           services=("registry", "reporting"))
        try:
            running.start_all()
            with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=30) as rpc:
                for funder in LONG_FUNDERS:
                    rpc.registry.register_funder(**funder)
            yield {"AMQP_URI": vhost, "BAQYLAU_RPC_TIMEOUT": "20"}
        finally:
            running.stop_all()


def issued(funder_id: str, env: dict[str, str], seconds: float = 30) -> None:
    """A token for `funder_id`, once reporting's feed has brought the funder in."""
    deadline = time.monotonic() + seconds
    while True:
        result = baqylau("token", "issue", funder_id, env=env)
        if result.returncode == 0:
            return
        assert time.monotonic() < deadline, f"no token for {funder_id}: {result.stderr}"
        time.sleep(0.5)


def test_token_list_shows_long_funder_ids_whole_and_times_in_utc(env):
    before = datetime.now(UTC).replace(microsecond=0)
    for funder in LONG_FUNDERS:
        issued(funder["funder_id"], env)
    listed = baqylau("token", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["token_id", "funder_id", "created_at", "last_used_at"]
    rows = [line.split() for line in lines[2:]]
    assert sorted(row[1] for row in rows) == ["akimat-west-kazakhstan", "qazaqstan-halqyna"]
    for _, _, created, last_used in rows:
        assert re.fullmatch(UTC_SECOND, created) and last_used == "never"
        created_at = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert before <= created_at <= datetime.now(UTC)  # UTC indeed, not local time as Z


def test_an_unknown_funder_is_refused_in_the_one_error_style(env):
    result = baqylau("token", "issue", "no-such-funder", env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == ("baqylau: funder no-such-funder is not in reporting's read model; "
                             "if the registry has it, run `baqylau catch-up` and issue "
                             "again\n")


def test_a_misused_option_is_one_line_naming_the_help_to_read():
    result = baqylau("token", "list", "--no-such-option", timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("baqylau: No such option '--no-such-option'; see `baqylau token "
                             "list --help`\n")
