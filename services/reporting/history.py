"""Reports as they stood at a past moment (`?as_of=`).

A past moment's figures never change once the moment is over: they are what the services had
recorded by then. So a report as of a past moment is read from its own schema, filled once
from the services' logs with only the events recorded by then (each envelope carries its
`time`), and kept: every report endpoint runs its usual SQL against it. `as_of` is a date
(the end of that day in Kazakhstan, UTC+5) or a date-time with its offset. A moment that
is not yet over (today, or later) is the live read model, so today's report and
`as_of=today` agree by construction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Callable

from marshmallow import Schema, ValidationError, fields, pre_load

from services.reporting import readmodel
from shared.errors import invalid

KAZAKHSTAN = timezone(timedelta(hours=5))
REGISTRY = "reporting_as_of"
KEEP = 30  # past moments kept; the least recently built goes first


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


def schema_at(cur: Any, moment: datetime, fill: Callable[[str, datetime], None]) -> str:
    """The schema holding the read model as of `moment`, built on first use. A session
    advisory lock makes concurrent first requests build it once."""
    name = schema_name(moment)
    cur.execute("SELECT pg_advisory_lock(hashtext('reporting_as_of'))")
    try:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {REGISTRY} (schema_name text PRIMARY KEY,"
                    " moment timestamptz NOT NULL, built_at timestamptz NOT NULL DEFAULT now())")
        cur.execute(f"SELECT 1 FROM {REGISTRY} WHERE schema_name = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")  # a build that died half-way
            readmodel.create(cur, name)
            cur.connection.commit()  # the filler writes through its own connection
            fill(name, moment)
            cur.execute(f"INSERT INTO {REGISTRY} (schema_name, moment) VALUES (%s, %s)",
                        (name, moment))
            _forget_oldest(cur)
        cur.connection.commit()
    finally:
        cur.execute("SELECT pg_advisory_unlock(hashtext('reporting_as_of'))")
    return name


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
