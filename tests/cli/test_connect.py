"""Which broker user the command line calls as: AMQP_URI, else the local stack's operators,
else the default; the management API keeps the administrator's credentials; and what the
command says when the broker refuses it: wrong password, missing vhost, no permission, no
such host, each with its own advice."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from cli import connect
from scripts import principals
from shared.calling import principal_of
from shared.config import DEFAULT_AMQP_URI
from tests.cli.run import baqylau, one_line_error
from tests.conftest import AMQP_URI, RABBIT_API_URI


@pytest.fixture
def stack(monkeypatch, tmp_path):
    """An empty `.stack/principals` of a checkout, and no AMQP_URI."""
    monkeypatch.setattr(connect, "LOCAL_PRINCIPALS", tmp_path)
    monkeypatch.setattr(principals, "FOLDER", tmp_path)
    for name in ("AMQP_URI", "AMQP_PORT", "RABBITMQ_MANAGEMENT_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_calls_as_the_local_operators_once_make_up_made_them(stack):
    (stack / "operators").write_text("pa/ss+word\n")
    assert principal_of(connect.amqp_uri()) == "operators"
    assert connect.amqp_uri() == principals.uri("operators")


def test_calls_as_amqp_uri_when_it_is_given(stack, monkeypatch):
    (stack / "operators").write_text("secret\n")
    monkeypatch.setenv("AMQP_URI", "pyamqp://ops:pw@broker:5672/baqylau")
    assert connect.amqp_uri() == "pyamqp://ops:pw@broker:5672/baqylau"
    assert connect.vhost() == "baqylau"


def test_calls_with_the_default_uri_outside_a_local_stack(stack):
    assert connect.amqp_uri() == DEFAULT_AMQP_URI


def test_the_management_api_is_asked_as_the_administrator_not_the_operators(stack):
    (stack / "operators").write_text("secret\n")
    assert urlsplit(connect.management_url()).username == "guest"


# What the broker's answer means, told by the real command against the real broker: a wrong
# password is not mended by starting RabbitMQ, nor a missing vhost by a grant.

def with_password(uri: str, password: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:"
                                            f"{parts.port}"))


@pytest.mark.integration
def test_a_wrong_password_is_told_to_check_the_credentials_not_to_start_the_broker():
    result = baqylau("token", "list", env={"AMQP_URI": with_password(AMQP_URI, "wrong")},
                     timeout=60)
    assert result.returncode == 2
    error = one_line_error(result)
    assert "403 ACCESS_REFUSED" in error and "wrong user name or password" in error
    assert "check the user and password in AMQP_URI" in error
    assert "make up" not in error and ":wrong@" not in error  # nor the password


@pytest.mark.integration
def test_a_wrong_local_operators_password_names_the_file_it_was_read_from(stack):
    (stack / "operators").write_text("not-the-password\n")
    with pytest.raises(connect.PlatformError) as refused:
        with connect.cluster(timeout=5):
            pass
    assert "refused the login of broker user 'operators'" in str(refused.value)
    assert f"check the user and password in {stack / 'operators'}" in str(refused.value)


@pytest.mark.integration
def test_a_vhost_that_does_not_exist_is_named_with_how_to_create_it():
    missing = f"{AMQP_URI.rstrip('/')}/no_such_vhost_{uuid.uuid4().hex[:6]}"
    result = baqylau("token", "list", env={"AMQP_URI": missing}, timeout=60)
    assert result.returncode == 2
    error = one_line_error(result)
    name = urlsplit(missing).path.lstrip("/")
    assert f"the vhost '{name}' does not exist (530 NOT_ALLOWED)" in error
    assert f"rabbitmqctl add_vhost {name}" in error and "make up" not in error


@pytest.mark.integration
def test_a_user_without_permission_on_the_vhost_is_told_to_get_a_grant(rabbit_manager):
    name = f"baqylau_closed_{uuid.uuid4().hex[:6]}"
    rabbit_manager.create_vhost(name)
    # The management API gives the vhost's creator every permission on it: taken back.
    requests.delete(f"{RABBIT_API_URI}/api/permissions/{name}/guest",
                    timeout=10).raise_for_status()
    try:
        result = baqylau("token", "list", env={"AMQP_URI": f"{AMQP_URI.rstrip('/')}/{name}"},
                         timeout=60)
    finally:
        rabbit_manager.delete_vhost(name)
    assert result.returncode == 2
    error = one_line_error(result)
    assert f"refused the broker user 'guest' on the vhost '{name}'" in error
    assert "baqylau access grant guest" in error and "make up" not in error


def test_a_broker_host_that_does_not_resolve_is_told_to_check_the_host():
    result = baqylau("token", "list", env={"AMQP_URI": "pyamqp://guest:guest@no-such-broker"
                                                      ".invalid:5672/"}, timeout=60)
    assert result.returncode == 2
    error = one_line_error(result)
    assert "no-such-broker.invalid:5672/ is not reachable" in error
    assert "check the host and port in AMQP_URI" in error


# `status` asks RabbitMQ's management API: refused credentials and a missing vhost are said
# as such, not as an API that does not answer.
NO_SERVICES = {"BAQYLAU_URL_PATTERN": "http://127.0.0.1:1/{service}"}


@pytest.mark.integration
def test_status_says_the_management_api_refused_its_credentials():
    api = urlsplit(RABBIT_API_URI)
    wrong = f"http://{api.username}:wrong@{api.hostname}:{api.port}"
    result = baqylau("status", env={**NO_SERVICES, "RABBITMQ_MANAGEMENT_URL": wrong},
                     timeout=90)
    assert result.returncode == 1
    assert "management API at" in result.stdout and "refused its credentials" in result.stdout
    assert "RABBITMQ_MANAGEMENT_URL to an administrator's" in result.stdout


@pytest.mark.integration
def test_status_says_the_vhost_does_not_exist():
    result = baqylau("status", env={**NO_SERVICES, "RABBITMQ_MANAGEMENT_URL": RABBIT_API_URI,
                                    "AMQP_URI": f"{AMQP_URI.rstrip('/')}/no_such_vhost_st"},
                     timeout=90)
    assert result.returncode == 1
    assert "the vhost 'no_such_vhost_st' does not exist on the broker" in result.stdout
    assert "does not answer;" not in result.stdout


def test_a_password_that_breaks_the_uri_is_never_printed():
    """`#` in a password that was not percent-encoded: the URI reads as a port 's3cr'."""
    result = baqylau("token", "list", env={"AMQP_URI": "amqp://ops:s3cr#t@127.0.0.1:5672/"})
    assert result.returncode == 2
    line = one_line_error(result)
    assert "AMQP_URI is malformed" in line and "percent-encode" in line
    assert "s3cr" not in result.stdout + result.stderr
