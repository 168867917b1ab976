"""The registry's grants (services/registry/access.py) on the in-memory store."""

from __future__ import annotations

import pytest

from services.registry.app import RegistryApplication
from shared.errors import NotFound


@pytest.fixture
def app():
    registry = RegistryApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield registry
    registry.close()


def test_the_grants_read_follow_every_change_without_a_replay(app):
    assert app.access_in_force() is None
    app.grant_access("academy", "academy", ["*"], granted_by="operators")
    kept = app.access_in_force()
    app.grant_access("reader", "reader", ["*"], granted_by="operators")
    app.revoke_access("academy", revoked_by="operators", reason="contract ended")
    now = app.access_in_force()
    assert now is kept  # brought up to date, not loaded again
    assert (sorted(now.grants), sorted(now.revoked)) == (["reader"], ["academy"])


def test_the_same_grant_sent_again_stores_nothing(app):
    app.grant_access("academy", "academy", ["*"], granted_by="operators")
    version = app.access_list().version
    app.grant_access("academy", "academy", ["*"], granted_by="operators")
    assert app.access_list().version == version


def test_a_grant_replaces_the_principals_earlier_one(app):
    app.grant_access("academy", "academy", ["*"], granted_by="operators")
    app.grant_access("academy", "reader", ["*"], granted_by="operators")
    assert app.access_in_force().grants["academy"]["role"] == "reader"


def test_refuses_to_grant_a_programme_that_does_not_exist(app):
    with pytest.raises(NotFound) as refused:
        app.grant_access("academy", "academy", ["no-such-programme"], granted_by="operators")
    assert list(refused.value.errors) == ["programmes"]


def test_refuses_to_revoke_a_principal_that_holds_no_grant(app):
    with pytest.raises(NotFound):
        app.revoke_access("nobody", revoked_by="operators", reason="-")
