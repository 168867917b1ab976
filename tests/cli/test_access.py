"""`baqylau access` against a real registry (a `nameko run` process on a throwaway database
and vhost) and RabbitMQ's management API: a grant recorded in the registry and as the
principal's broker permissions, used by the integrator for an import whose events name it
and the file, then revoked and gone from both; and the refusals, each one line."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlsplit

import pytest
import requests

from scripts.seed_registry import generate as registry_seed
from services.catalogue import entrypoints
from shared.access.broker import RPC_EXCHANGE, permissions
from shared.calling import ClusterRpcProxy
from tests.cli.run import baqylau, one_line_error
from tests.conftest import RABBIT_API_URI, throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform
from tests.principals import broker_users

pytestmark = pytest.mark.integration
PROGRAMME, COMMITMENT = "baquatty-audan", "BA-AMANAT-2024"


@pytest.fixture(scope="module")
def platform(rabbit_manager, tmp_path_factory):
    with throwaway_vhost(rabbit_manager, "baqylau_access") as vhost, \
            throwaway_databases() as databases:
        running = Platform(tmp_path_factory.mktemp("access"), vhost, databases,
                           services=("registry",))
        try:
            running.start_all()
            yield running
        finally:
            running.stop_all()


@pytest.fixture(scope="module")
def rpc(platform):
    with ClusterRpcProxy({"AMQP_URI": platform.amqp_uri}, timeout=30) as proxy:
        seed = registry_seed()  # a programme and a commitment to pay out
        proxy.registry.register_funder(**seed.funders[0])
        proxy.registry.launch_programme(**seed.programmes[0])
        proxy.registry.commit_funding(**seed.commitments[0])
        yield proxy


@pytest.fixture(scope="module")
def env(platform):
    return {"AMQP_URI": platform.amqp_uri, "BAQYLAU_RPC_TIMEOUT": "20",
            "RABBITMQ_MANAGEMENT_URL": RABBIT_API_URI}


@pytest.fixture(scope="module")
def integrator(platform):
    """A finance system's broker user, made by the broker's operator: no permission yet."""
    with broker_users(platform.amqp_uri, {"finance": None}) as users:
        yield users["finance"], users.uris["finance"]


def broker_permissions(platform, principal: str) -> tuple[dict | None, list[dict] | None]:
    """The principal's permissions and topic permissions on the test's vhost (None: none)."""
    vhost = quote(urlsplit(platform.amqp_uri).path.lstrip("/"), safe="")
    found = []
    for kind in ("permissions", "topic-permissions"):
        answer = requests.get(f"{RABBIT_API_URI}/api/{kind}/{vhost}/{principal}", timeout=10)
        found.append(None if answer.status_code == 404 else answer.json())
    return found[0], found[1]


def test_a_grant_is_recorded_in_the_registry_and_sets_the_roles_broker_permissions(
        platform, rpc, env, integrator):
    principal, _ = integrator
    result = baqylau("access", "grant", principal, "--role", "finance", "--programme",
                     PROGRAMME, "--reason", "the akimat's finance system", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"granted {principal} the role finance for {PROGRAMME}" in result.stdout
    listed = baqylau("access", "list", env=env).stdout
    line = next(line for line in listed.splitlines() if line.startswith(principal))
    assert "finance" in line and PROGRAMME in line and "the akimat's finance system" in line
    expected = permissions(principal, "finance", entrypoints())
    plain, topic = broker_permissions(platform, principal)
    assert (plain["configure"], plain["write"], plain["read"]) == (
        expected.configure, expected.write, expected.read)
    assert [(t["exchange"], t["write"], t["read"]) for t in topic] == [
        (RPC_EXCHANGE, expected.topic_write, expected.topic_read)]


def test_the_same_grant_sent_again_stores_nothing(rpc, env, integrator):
    principal, _ = integrator
    before = rpc.registry.notifications(after=0, limit=1000)["last_notification_id"]
    again = baqylau("access", "grant", principal, "--role", "finance", "--programme",
                    PROGRAMME, "--reason", "the akimat's finance system", env=env)
    assert again.returncode == 0, again.stderr
    assert rpc.registry.notifications(after=0, limit=1000)["last_notification_id"] == before


def test_an_import_by_the_integrator_names_it_and_the_file_on_every_event(
        tmp_path, rpc, env, integrator):
    principal, uri = integrator
    path = tmp_path / "akimat-payments.csv"
    path.write_text("programme_id,commitment_id,reference,amount_kzt,disbursed_on\n"
                    f"{PROGRAMME},{COMMITMENT},BA-T1,90000000,2024-06-24\n"
                    f"{PROGRAMME},{COMMITMENT},BA-T2,30000000,2024-10-08\n")
    result = baqylau("import", "disbursements", path, env={**env, "AMQP_URI": uri})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 recorded" in result.stdout
    events = [e for e in rpc.registry.notifications(after=0, limit=1000)["items"]
              if e["type"] == "FundsDisbursed"]
    assert len(events) == 2
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {(e["recordedby"], e["sourcefile"], e["sourcesha256"]) for e in events} == {
        (principal, path.name, digest)}


def test_a_call_outside_the_integrators_role_is_refused_by_the_broker(env, integrator):
    _, uri = integrator
    result = baqylau("token", "list", env={**env, "AMQP_URI": uri})  # operators only
    assert result.returncode == 2
    error = one_line_error(result)
    assert "refused the broker user" in error and "reporting.list_tokens" in error


def test_a_revoked_grant_is_listed_as_revoked_and_leaves_no_broker_permission(
        platform, env, integrator):
    principal, uri = integrator
    result = baqylau("access", "revoke", principal, "--reason", "contract ended", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"revoked {principal}'s grant" in result.stdout and "removed" in result.stdout
    assert broker_permissions(platform, principal) == (None, None)
    assert principal not in baqylau("access", "list", env=env).stdout
    listed = baqylau("access", "list", "--revoked", env=env).stdout
    revoked = listed.split("revoked:", 1)[1]
    assert principal in revoked and "contract ended" in revoked
    # Its calls now stop at the broker: one line, no traceback.
    refused = baqylau("access", "list", env={**env, "AMQP_URI": uri})
    assert refused.returncode == 2 and "refused the broker user" in one_line_error(refused)


def test_refuses_an_unknown_role_naming_the_roles_there_are(env, integrator):
    principal, _ = integrator
    result = baqylau("access", "grant", principal, "--role", "admin", "--programme",
                     PROGRAMME, env=env)
    assert result.returncode == 2
    error = one_line_error(result)
    assert "'admin' is not one of" in error and "'school-data'" in error


def test_refuses_a_grant_without_programmes(env, integrator):
    principal, _ = integrator
    result = baqylau("access", "grant", principal, "--role", "reader", env=env)
    assert result.returncode == 2
    assert "--programme (once or more) or --all-programmes" in one_line_error(result)


def test_refuses_a_grant_to_a_broker_user_nobody_created_unless_told_to_leave_the_broker(
        rpc, env):
    result = baqylau("access", "grant", "nobody-made-me", "--role", "reader",
                     "--all-programmes", env=env)
    assert result.returncode == 1
    assert "there is no broker user 'nobody-made-me'" in one_line_error(result)
    assert "nobody-made-me" not in baqylau("access", "list", env=env).stdout
    recorded = baqylau("access", "grant", "nobody-made-me", "--role", "reader",
                       "--all-programmes", "--no-broker", env=env)
    assert recorded.returncode == 0, recorded.stderr
    assert "for every programme" in recorded.stdout and "--no-broker" in recorded.stdout
    assert baqylau("access", "revoke", "nobody-made-me", "--reason", "test over",
                   "--no-broker", env=env).returncode == 0


def test_refuses_to_revoke_a_principal_that_holds_no_grant(env):
    result = baqylau("access", "revoke", "never-granted", "--reason", "tidy up", env=env)
    assert result.returncode == 1
    assert "never-granted" in one_line_error(result)
