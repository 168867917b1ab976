"""A dashboard's session is settled in one statement, as a token is (api/access.py), and it
answers exactly as the full way does: a live session its funder, an expired one, a revoked
token's or a forged one nobody. The daily series' stamp it returns moves only when a
stored figure changes, so a drawn dashboard is redrawn for a new day or a new figure and
served as drawn otherwise."""

from datetime import date, timedelta

import psycopg2
import pytest

from services.reporting import migrations
from services.reporting.api import tokens
from services.reporting.figures import daily
from services.reporting.ingest import projections, tables
from tests.conftest import dsn_of
from tests.reporting.conftest import asked_both_ways, fresh_schema
from tests.reporting.stream import P

pytestmark = pytest.mark.integration


@pytest.fixture
def read_model(pg_database):
    conn = psycopg2.connect(dsn_of(pg_database))
    with conn, conn.cursor() as cur:
        tables.ensure_current(cur)
        migrations.prepare(cur)
    yield conn
    conn.close()


def session_of(conn, funder: str) -> tuple[str, str]:
    """(token_id, the secret of a session the token opened)."""
    with conn, conn.cursor() as cur:
        issued = tokens.issue(cur, funder)
        return issued["token_id"], tokens.open_session(cur, issued["token_id"])


def test_a_sessions_one_statement_answers_as_the_full_way_does(read_model, events):
    conn = read_model

    def asked(secret, programme=P):
        return asked_both_ways(conn, secret, programme, session=True)

    projections.handle_batch(conn, events, tables.SCHEMA)
    sessions = {funder: session_of(conn, funder)[1] for funder in ("qh", "akimat", "none")}
    revoked_token, of_revoked = session_of(conn, "qh")
    _, expired = session_of(conn, "qh")
    with conn, conn.cursor() as cur:
        tokens.revoke(cur, revoked_token)
        cur.execute(f"UPDATE {tokens.SESSIONS} SET expires_at = now() - interval '1 second' "
                    "WHERE session_sha256 = %s", (tokens.session_digest(expired),))

    for secret in [*sessions.values(), of_revoked, expired, sessions["qh"][:-1], "", None]:
        for programme in (P, "uralsk", "'; DROP TABLE rm.programmes; --"):
            fast, full = asked(secret, programme)
            assert fast == full, (secret, programme)
    assert asked(sessions["qh"])[0].visible
    assert asked(sessions["akimat"])[0].visible  # a role, no money
    assert not asked(sessions["none"])[0].visible
    for dead in (of_revoked, expired):
        assert asked(dead) == (None, None)

    rebuilt = fresh_schema(conn)
    projections.handle_batch(conn, events, rebuilt)
    with conn, conn.cursor() as cur:
        tables.switch(cur, rebuilt)
    fast, full = asked(sessions["qh"])
    assert fast == full and fast.schema == rebuilt


def test_the_daily_stamp_moves_only_when_a_stored_figure_changes(read_model, events):
    conn = read_model
    half = len(events) // 2
    today = date(2026, 12, 1)

    def recorded(day: date) -> tuple[int, tuple[int, date]]:
        with conn, conn.cursor() as cur:
            return daily.record(cur, day), daily.stamp(cur)

    projections.handle_batch(conn, events[:half], tables.SCHEMA)
    written, first = recorded(today)
    assert written > 0
    assert recorded(today) == (0, first)          # the same figures again: the same stamp

    projections.handle_batch(conn, events[half:], tables.SCHEMA)
    changed, second = recorded(today)
    assert changed > 0 and second[0] > first[0]

    new_day, third = recorded(today + timedelta(days=1))
    assert new_day > 0 and third[0] > second[0]    # a new day's points: a new stamp


def test_a_writer_that_predates_the_stamp_still_moves_it_by_changing_a_figure(read_model,
                                                                               events):
    """Mid rolling upgrade, an older replica records the day with a plain upsert that
    writes every row: the trigger bumps the stamp for a changed value only."""
    conn = read_model
    projections.handle_batch(conn, events, tables.SCHEMA)
    day = date(2026, 12, 1)
    with conn, conn.cursor() as cur:
        daily.record(cur, day)
        cur.execute(f"SELECT day, programme_id, figure, value FROM {daily.TABLE}")
        rows = cur.fetchall()
        before = daily.stamp(cur)

    def old_replica_writes(rows) -> tuple[int, date]:
        with conn, conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {daily.TABLE} VALUES (%s, %s, %s, %s) ON CONFLICT "
                            "(programme_id, figure, day) DO UPDATE SET value = EXCLUDED.value",
                            rows)
            return daily.stamp(cur)

    assert old_replica_writes(rows) == before
    changed = [(*rows[0][:3], rows[0][3] + 1), *rows[1:]]
    assert old_replica_writes(changed)[0] > before[0]
