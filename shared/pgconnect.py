"""psycopg2 connections that a stopped green thread does not leave half-open.

Under eventlet a connect is green: psycopg2 waits for each step of the handshake in
eventlet's wait callback. A container's kill throws GreenletExit into a thread waiting
there (the commit listener or a relay reconnecting after an outage). psycopg2 drops its
half-made connection, but the frames of the exception's traceback still hold it, and the
traceback lives as long as the dead green thread does (nameko's container and eventlet's
exit event keep it until a garbage collection). Its socket stays open, and the server's
backend waits for the rest of the authentication until `authentication_timeout` (60 s):
meanwhile every DROP DATABASE on the server waits for that backend too (PostgreSQL 15
waits for all backends to accept a barrier, which one still authenticating does not).
"""

from __future__ import annotations

import traceback
from typing import Any

import psycopg2


def connect(dsn: str, **kwargs: Any) -> psycopg2.extensions.connection:
    """`psycopg2.connect`; if the connect is stopped half-way, its socket is closed now."""
    try:
        return psycopg2.connect(dsn, **kwargs)
    except BaseException as exc:
        # The half-made connection is referenced only from these (finished) frames.
        traceback.clear_frames(exc.__traceback__)
        raise
