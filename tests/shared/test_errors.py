"""Which database errors are outages (retried, `Unavailable` to a caller) and which are not."""

from __future__ import annotations

import psycopg
import psycopg2.errors
from eventsourcing.persistence import InternalError, OperationalError

from shared.errors import is_outage


def wrapped(cause: Exception) -> InternalError:
    # As eventsourcing raises it: its own class, the driver's error as the cause.
    try:
        raise InternalError(str(cause)) from cause
    except InternalError as exc:
        return exc


def test_a_session_ended_mid_transaction_is_an_outage_whatever_the_driver_calls_it():
    ended = "terminating connection due to idle-in-transaction timeout"
    assert is_outage(wrapped(psycopg.errors.IdleInTransactionSessionTimeout(ended)))
    assert is_outage(psycopg2.errors.IdleInTransactionSessionTimeout(ended))
    assert is_outage(OperationalError("connection refused"))


def test_other_internal_errors_are_not_outages():
    assert not is_outage(wrapped(psycopg.errors.InFailedSqlTransaction("aborted")))
    assert not is_outage(ValueError("a handler's own bug"))
