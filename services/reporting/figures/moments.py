"""Reports as they stood at a past moment (`?as_of=`).

A past moment's figures never change once the moment is over: they are what the services had
recorded by then. So a report as of a past moment is read from its own schema, filled once
from the services' logs with only the events recorded by then (each envelope carries its
`time`), and kept: every report endpoint runs its usual SQL against it. `as_of` is a date
(the end of that day in Kazakhstan, UTC+5) or a date-time with its offset. A moment that
is not yet over (today, or later) is the live read model, so today's report and
`as_of=today` agree by construction.

Building a moment replays every log, so it is rationed: a funder may have a few new moments
built per hour (a moment already built is free for everyone), and one build runs at a time.
A request over its funder's allowance gets 429, and one that waited too long for another
build gets 503; both say when to retry and change nothing.
"""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Callable

import eventlet
from marshmallow import Schema, ValidationError, fields, pre_load
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from services.reporting.ingest import tables
from shared.errors import invalid

KAZAKHSTAN = timezone(timedelta(hours=5))
REGISTRY = "reporting_as_of"
BUILDS = "reporting_as_of_builds"
KEEP = 30  # past moments kept; the least recently built goes first
BUILDS_PER_HOUR = 10  # new past moments one funder may have built in an hour
WAIT_FOR_BUILDER = 10.0  # seconds a request waits while another moment is being built
LOCK = "hashtext('reporting_as_of')"
DDL = f"""
CREATE TABLE IF NOT EXISTS {REGISTRY} (schema_name text PRIMARY KEY,
  moment timestamptz NOT NULL, built_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {BUILDS} (funder_id text NOT NULL,
  built_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS {BUILDS}_by_funder ON {BUILDS} (funder_id, built_at);
"""


def forget_all(cur: Any) -> int:
    """Drop every past moment's schema (they are built again on first use); for a new model
    version, whose tables the old moments lack. Returns how many were dropped."""
    cur.execute(f"SELECT schema_name FROM {REGISTRY}")
    names = [row[0] for row in cur.fetchall()]
    for name in names:
        cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    cur.execute(f"DELETE FROM {REGISTRY}")
    return len(names)


class Rationed(Exception):
    """A past moment cannot be built now; `retry_after` says in how many seconds to ask."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class TooManyBuilds(Rationed):
    pass


class BuilderBusy(Rationed):
    pass


class AsOf(Schema):
    as_of = fields.String(required=True)

    @pre_load
    def strip(self, data: Any, **_: Any) -> Any:
        return {"as_of": data["as_of"].strip()} if isinstance(data.get("as_of"), str) else data


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # nothing was recorded before


def cutoff(text: str, now: datetime | None = None) -> datetime | None:
    """The moment `as_of` names, or None when it is not over yet (the live model answers).
    Raises InvalidInput naming `as_of` when it is neither a date nor a date-time with an
    offset (RFC 3339)."""
    now = now or datetime.now(UTC)
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if day >= now.astimezone(KAZAKHSTAN).date():
                return None
            moment = datetime.combine(day, time.max, KAZAKHSTAN)
        else:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("no offset")
    except (ValueError, OverflowError):
        raise invalid({"as_of": ["A date (2024-05-31) or a date-time with its offset "
                                 "(2024-05-31T18:00:00+05:00)."]}) from None
    if moment.replace(tzinfo=None) <= datetime(2000, 1, 2):  # far enough from year 1
        return EPOCH
    if moment.replace(tzinfo=None) >= datetime(9999, 12, 30):  # and from year 9999
        return None
    moment = moment.astimezone(UTC)
    return None if moment >= now else moment


def schema_name(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("asof_%Y%m%d_%H%M%S_%f")


def schema_at(cur: Any, moment: datetime, fill: Callable[[str, datetime], None],
              funder_id: str, builds_per_hour: int = BUILDS_PER_HOUR,
              wait: float = WAIT_FOR_BUILDER) -> str:
    """The schema holding the read model as of `moment`: at once if built already, else
    built now on `funder_id`'s allowance (TooManyBuilds beyond it), one build at a time
    (BuilderBusy after waiting `wait` seconds for another), under a session advisory lock
    so that concurrent first requests build it once."""
    name = schema_name(moment)
    if _built(cur, name):
        return name
    _within_allowance(cur, funder_id, builds_per_hour)
    cur.connection.commit()  # nothing held while waiting for the builder
    _lock(cur, wait)
    try:
        if not _built(cur, name):  # built by another request while this one waited
            _within_allowance(cur, funder_id, builds_per_hour)  # this funder's, meanwhile
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")  # a build that died half-way
            tables.create(cur, name)
            cur.connection.commit()  # the filler writes through its own connection
            fill(name, moment)
            cur.execute(f"INSERT INTO {REGISTRY} (schema_name, moment) VALUES (%s, %s)",
                        (name, moment))
            cur.execute(f"INSERT INTO {BUILDS} (funder_id) VALUES (%s)", (funder_id,))
            cur.execute(f"DELETE FROM {BUILDS} WHERE built_at < now() - interval '1 day'")
            _forget_oldest(cur)
        cur.connection.commit()
    finally:
        if cur.connection.get_transaction_status() == TRANSACTION_STATUS_INERROR:
            cur.connection.rollback()  # so that the unlock can run
        cur.execute(f"SELECT pg_advisory_unlock({LOCK})")
    return name


def _built(cur: Any, name: str) -> bool:
    cur.execute(f"SELECT 1 FROM {REGISTRY} WHERE schema_name = %s", (name,))
    return cur.fetchone() is not None


def _within_allowance(cur: Any, funder_id: str, builds_per_hour: int) -> None:
    cur.execute(f"SELECT count(*), min(built_at) + interval '1 hour' - now() FROM {BUILDS}"
                " WHERE funder_id = %s AND built_at > now() - interval '1 hour'", (funder_id,))
    count, until_oldest_expires = cur.fetchone()
    if count >= builds_per_hour:
        raise TooManyBuilds(
            f"{count} past moments were built for this funder in the last hour, the most "
            "allowed; ask for a moment already built, or retry later",
            max(1, int((until_oldest_expires or timedelta(hours=1)).total_seconds()) + 1))


def _lock(cur: Any, wait: float) -> None:
    deadline = clock.monotonic() + wait
    while True:
        cur.execute(f"SELECT pg_try_advisory_lock({LOCK})")
        if cur.fetchone()[0]:
            return
        if clock.monotonic() >= deadline:
            raise BuilderBusy("another past moment is being built; retry shortly", 5)
        eventlet.sleep(0.2)  # a green wait: other requests go on meanwhile


def _forget_oldest(cur: Any) -> None:
    cur.execute(f"SELECT schema_name FROM {REGISTRY} ORDER BY built_at DESC OFFSET %s",
                (KEEP,))
    for (old,) in cur.fetchall():
        cur.execute(f"DROP SCHEMA IF EXISTS {old} CASCADE")
        cur.execute(f"DELETE FROM {REGISTRY} WHERE schema_name = %s", (old,))


def parse(args: Any) -> datetime | None:
    """The cutoff a request's query asks for, or None for the live model."""
    if "as_of" not in args:
        return None
    try:
        data = AsOf().load({"as_of": args.get("as_of")})
    except ValidationError as exc:
        raise invalid(exc.normalized_messages()) from None
    return cutoff(data["as_of"])
