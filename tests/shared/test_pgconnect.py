"""shared.pgconnect against the real PostgreSQL: a connect stopped half-way by a kill (as a
container's kill stops a commit listener or a relay reconnecting) leaves no session waiting
to authenticate. Such a session held every DROP DATABASE on the server (PostgreSQL waits for
all backends to accept a barrier; one still authenticating does not) until the server's
authentication_timeout, 60 s: the suite's one or two teardowns of ~60 s."""

import time

import eventlet
import pytest

from shared import pgconnect
from tests.conftest import drop_databases, dsn_of

pytestmark = pytest.mark.integration


def test_a_connect_killed_half_way_leaves_no_session_authenticating(pg_databases):
    target, other = pg_databases(), pg_databases()
    killed = []
    for step in range(40):  # killed at every point of the handshake, from its first step on
        thread = eventlet.spawn(pgconnect.connect, dsn_of(target), connect_timeout=5)
        eventlet.sleep(0.0005 * step)
        thread.kill()
        killed.append(thread)  # as a killed container keeps its threads until a collection
    started = time.monotonic()
    drop_databases([other["dbname"]])  # waited ~60 s with psycopg2.connect
    assert time.monotonic() - started < 5, "DROP DATABASE waited for a half-open session"
