"""eventsourcing's PostgreSQL persistence, with pooled connections that never outlive an
interrupted session.

psycopg keeps, per connection, the names of the statements it has prepared on the server.
When a session is interrupted mid-protocol (a lock timeout inside a pipeline, a network
black hole, the server cancelling a query), that list can fall out of step with the server:
the fault drill saw a pooled connection answer every later command with `prepared statement
"_pg3_4" does not exist`, for good. eventsourcing retries an `OperationalError` on the same
pool but hands the connection back as it is. Here a connection that raised such an error is
closed instead, so the pool replaces it, and a missing prepared statement is raised as an
`OperationalError`, so eventsourcing's own retry runs the command again on a fresh one.

It also replaces the pool's pre-ping (a round trip before every use, a quarter of a
command's time) by a look at the socket: an idle connection has nothing to read unless the
server has spoken since, which is what a restart or a crash does (a termination notice, or
the end of the stream). Only then is the round trip made, and a dead connection replaced.

psycopg's C build (`psycopg[binary]`, a quarter less time per command than the pure-Python
one) waits for the server in C by default, a poll eventlet cannot see: the whole service
would stand still while one greenthread waits. Under eventlet its select-based wait is used
instead, whose `select` is green (tests/shared/test_green_psycopg.py). A connect waits on a
selector psycopg binds when first imported, so a process monkey-patches before it imports
psycopg, as `nameko run`, the CLI and the tests do.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventlet import patcher
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from psycopg import waiting
from psycopg.rows import DictRow
from psycopg_pool import ConnectionPool

# psycopg looks the function up at each wait. Without eventlet the C wait stays: it blocks
# only its own thread, and a real select() refuses descriptors past 1024.
if patcher.is_monkey_patched("select"):
    waiting.wait = waiting.wait_select


def leaves_session_out_of_step(error: psycopg.Error) -> bool:
    """Errors after which the connection's state may differ from what psycopg believes."""
    return isinstance(error, (psycopg.OperationalError, psycopg.errors.InvalidSqlStatementName))


SELECTABLE = 1024  # select() takes no higher descriptor; past it, always the round trip


def server_has_left(conn: psycopg.Connection[Any]) -> bool:
    """True if an idle connection is dead: its socket says so without a round trip, and a
    round trip (made only when the socket has something to read) confirms."""
    if conn.closed:
        return True
    socket = conn.fileno()
    if socket < SELECTABLE and not select.select([socket], [], [], 0)[0]:
        return False
    try:
        ConnectionPool.check_connection(conn)
    except psycopg.Error:
        return True
    return False


class SelfHealingDatastore(PostgresDatastore):
    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        # After a restart every pooled connection is dead: each is replaced in turn, and a
        # bound keeps a server that keeps leaving from looping here.
        for _ in range(self.pool.max_size):
            with super().get_connection() as conn:
                if server_has_left(conn):
                    conn.close()  # the pool discards a closed connection and opens another
                    continue
                yield from self._used(conn)
                return
        with super().get_connection() as conn:
            yield from self._used(conn)

    @staticmethod
    def _used(conn: psycopg.Connection[DictRow]) -> Iterator[psycopg.Connection[DictRow]]:
        try:
            yield conn
        except psycopg.Error as error:
            if not leaves_session_out_of_step(error):
                raise
            conn.close()
            if isinstance(error, psycopg.OperationalError):
                raise
            raise psycopg.OperationalError(str(error)) from error
        except BaseException:
            # Stopped mid-protocol (GreenletExit, a Timeout): what the server has of this
            # session is unknown, so the connection goes rather than back to the pool.
            conn.close()
            raise


class Factory(PostgresFactory):
    """`PERSISTENCE_MODULE=shared.postgres:Factory`: eventsourcing.postgres, self-healing."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The base factory builds its datastore inline from the environment, with no hook
        # for the class; the subclass adds behaviour only, so the built pool is kept as is.
        self.datastore.__class__ = SelfHealingDatastore
