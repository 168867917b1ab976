"""The broker users of a local stack: one per service, the operators, and the outside systems
the demo's seeds come from, each with a generated password kept under .stack/principals/
(never in git) and the permissions its role gives it (shared/access/broker.py).

    python -m scripts.principals ensure          # create what is missing; idempotent
    python -m scripts.principals uri <name>      # the AMQP URI to connect as <name>

The outside systems' grants are facts in the registry, recorded by the demo as operators
(scripts/demo.py); this only makes their broker users.
"""

from __future__ import annotations

import os
import secrets
import sys

import requests

from cli.connect import LOCAL_PRINCIPALS, local_uri
from services.catalogue import entrypoints
from shared.access.broker import add_user
from shared.access.roles import OPERATORS, SERVICE, SERVICES

FOLDER = LOCAL_PRINCIPALS  # where cli/connect.py looks for them
# The seed programmes' outside systems: the academy's platform, the schools' e-journal,
# the akimats' finance system (scripts/demo.py sends each seed as the one it comes from).
SEED_SYSTEMS = {"academy": "academy", "ejournal": "school-data", "finance": "finance"}


def roles() -> dict[str, str]:
    return {OPERATORS: OPERATORS, **{name: SERVICE for name in SERVICES}, **SEED_SYSTEMS}


def management() -> str:
    return f"http://127.0.0.1:{os.environ.get('MGMT_PORT', '15672')}/api"


def password_of(name: str) -> str:
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24) + "\n")
    return path.read_text().strip()


def uri(name: str, vhost: str = "/") -> str:
    password_of(name)  # made now if it is not yet
    return str(local_uri(name, vhost))


def ensure(session: requests.Session, api: str, vhost: str = "/",
           names: dict[str, str] | None = None) -> None:
    catalogue = entrypoints()
    for name, role in (names or roles()).items():
        add_user(session, api, vhost, name, password_of(name), role, catalogue)


def admin_session() -> requests.Session:
    session = requests.Session()
    session.auth = ("guest", "guest")  # the local stack's administrator, on loopback only
    return session


def main(argv: list[str]) -> int:
    if argv[:1] == ["ensure"]:
        ensure(admin_session(), management())
        print(f"[stack] broker users: {', '.join(roles())} (passwords in {FOLDER})")
        return 0
    if len(argv) == 2 and argv[0] == "uri":
        print(uri(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
