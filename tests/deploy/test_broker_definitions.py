"""The broker's users and permissions in deploy/k8s (components/in-cluster/broker/): what
scripts/k8s_broker.py makes from the roles, and the password hashes render_definitions.py
adds at the broker pod's start, in the form RabbitMQ checks passwords against."""

import base64
import hashlib
import importlib.util
import json
import secrets
import stat
import uuid

import pytest
import requests

from scripts import k8s_broker
from scripts.k8s_broker import ADMIN, INTEGRATORS, OUT
from services.catalogue import entrypoints
from shared.access.broker import RPC_EXCHANGE, permissions
from shared.access.roles import GRANTABLE, OPERATORS, SERVICE, SERVICES
from tests.conftest import RABBIT_API_URI


def committed():
    return json.loads((OUT / "definitions.json").read_text())


def load_renderer():
    spec = importlib.util.spec_from_file_location("render_definitions",
                                                  OUT / "render_definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_definitions_are_what_the_roles_give():
    assert k8s_broker.main(["--check"]) == 0, "run `python -m scripts.k8s_broker`"


def test_every_principal_has_a_user_with_exactly_its_roles_permissions():
    found = committed()
    roles = {OPERATORS: OPERATORS, **{s: SERVICE for s in SERVICES}, **INTEGRATORS}
    assert set(INTEGRATORS.values()) <= set(GRANTABLE)
    assert [u["name"] for u in found["users"]] == [ADMIN, *roles]
    plain = {p["user"]: p for p in found["permissions"]}
    topic = {p["user"]: p for p in found["topic_permissions"]}
    assert set(plain) == set(topic) == set(roles)  # the administrator: none on the vhost
    catalogue = entrypoints()
    for name, role in roles.items():
        given = permissions(name, role, catalogue)
        assert plain[name] == {"user": name, "vhost": "/", "configure": given.configure,
                               "write": given.write, "read": given.read}
        assert topic[name] == {"user": name, "vhost": "/", "exchange": RPC_EXCHANGE,
                               "write": given.topic_write, "read": given.topic_read}
    tags = {u["name"]: u["tags"] for u in found["users"]}
    assert tags.pop(ADMIN) == ["administrator"] and not any(tags.values())


def test_an_integrator_is_named_as_the_registry_names_principals(monkeypatch):
    monkeypatch.setitem(INTEGRATORS, "Bad Name", "reader")
    with pytest.raises(Exception, match="broker user name"):
        k8s_broker.principals()
    monkeypatch.delitem(INTEGRATORS, "Bad Name")
    monkeypatch.setitem(INTEGRATORS, "registry", "reader")
    with pytest.raises(ValueError, match="platform user"):
        k8s_broker.principals()


def write_passwords(folder, users, suffix=""):
    folder.mkdir()
    given = {user: secrets.token_urlsafe(12) for user in users}
    for user, password in given.items():
        (folder / user).write_text(password + suffix)
    return given


def test_each_user_gets_rabbitmqs_salted_sha256_of_its_own_password(tmp_path):
    renderer = load_renderer()
    users = [u["name"] for u in committed()["users"]]
    given = write_passwords(tmp_path / "passwords", users, suffix="\n")  # a file's newline
    out = tmp_path / "definitions.json"
    assert renderer.main([str(OUT / "definitions.json"), str(tmp_path / "passwords"),
                          str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rendered = json.loads(out.read_text())
    assert {k: v for k, v in rendered.items() if k != "users"} == \
        {k: v for k, v in committed().items() if k != "users"}
    salts = set()
    for user in rendered["users"]:
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        raw = base64.b64decode(user["password_hash"])
        salt, digest = raw[:4], raw[4:]
        assert digest == hashlib.sha256(salt + given[user["name"]].encode()).digest()
        salts.add(salt)
    assert len(salts) == len(users)  # a fresh salt each
    assert not [p for p in given.values() if p in out.read_text()]


def test_a_missing_or_empty_password_stops_the_broker_from_starting(tmp_path):
    renderer = load_renderer()
    users = [u["name"] for u in committed()["users"]]
    write_passwords(tmp_path / "passwords", users)
    (tmp_path / "passwords" / "academy").unlink()
    args = [str(OUT / "definitions.json"), str(tmp_path / "passwords"),
            str(tmp_path / "out.json")]
    with pytest.raises(SystemExit, match="baqylau-amqp-academy"):
        renderer.main(args)
    (tmp_path / "passwords" / "academy").write_text("\n")
    with pytest.raises(SystemExit, match="empty password"):
        renderer.main(args)
    assert not (tmp_path / "out.json").exists()


@pytest.mark.integration
def test_rabbitmq_accepts_the_hash_as_the_users_password():
    renderer = load_renderer()
    password, name = secrets.token_urlsafe(12), f"t{uuid.uuid4().hex[:8]}-hash"
    api = RABBIT_API_URI.split("@", 1)[1]
    admin = ("guest", "guest")
    made = requests.put(f"http://{api}/api/users/{name}", auth=admin, timeout=10, json={
        "password_hash": renderer.password_hash(password),
        "hashing_algorithm": renderer.ALGORITHM, "tags": "management"})
    made.raise_for_status()
    try:
        assert requests.get(f"http://{api}/api/whoami", auth=(name, password),
                            timeout=10).status_code == 200
        assert requests.get(f"http://{api}/api/whoami", auth=(name, password + "x"),
                            timeout=10).status_code == 401
    finally:
        requests.delete(f"http://{api}/api/users/{name}", auth=admin, timeout=10)
