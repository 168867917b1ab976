"""Which broker user the command line calls as: AMQP_URI, else the local stack's operators,
else the default; and the management API keeps the administrator's credentials."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from cli import connect
from scripts import principals
from shared.calling import principal_of
from shared.config import DEFAULT_AMQP_URI


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
