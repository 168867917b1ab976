"""Reports as they stood at a past moment (`?as_of=`).

A past moment's figures never change once the moment is over: they are what the services had
recorded by then. Every fact in the read model keeps when its event was recorded and every
version it had, so the report as of a moment is the usual report's SQL run against views of
the live model that show only what was recorded by then (ingest/past.py): nothing is built,
copied or replayed, and any moment costs what today's report costs. `as_of` is a date (the
end of that day in Kazakhstan, UTC+5) or a date-time with its offset. A moment that is not
yet over (today, or later) is the live read model, so today's report and `as_of=today`
agree by construction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load

from services.reporting.ingest import past, tables
from shared.errors import invalid

KAZAKHSTAN = timezone(timedelta(hours=5))
# Before version 5, each past moment was a schema filled by replaying the logs, listed here.
BUILT_BEFORE = "reporting_as_of"


def retire_built_moments(cur: Any) -> int:
    """Drop the schemas past moments were built in before version 5, and their lists;
    returns how many were dropped."""
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (BUILT_BEFORE,))
    if not cur.fetchone()[0]:
        return 0
    cur.execute(f"SELECT schema_name FROM {BUILT_BEFORE}")
    names = [row[0] for row in cur.fetchall()]
    for name in names:
        tables.drop(cur, name)
    cur.execute(f"DROP TABLE {BUILT_BEFORE}, {BUILT_BEFORE}_builds")
    return len(names)


def at(cur: Any, moment: datetime) -> str:
    """The schema that reads as the live model did at `moment`, for this transaction (a
    rebuild's switch waits until it ends)."""
    schema = past.ensure(cur, tables.current(cur, lock=True))
    cur.execute("SELECT set_config('baqylau.as_of', %s, true)", (moment.isoformat(),))
    return schema


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


def parse(args: Any) -> datetime | None:
    """The cutoff a request's query asks for, or None for the live model."""
    if "as_of" not in args:
        return None
    try:
        data = AsOf().load({"as_of": args.get("as_of")})
    except ValidationError as exc:
        raise invalid(exc.normalized_messages()) from None
    return cutoff(data["as_of"])
