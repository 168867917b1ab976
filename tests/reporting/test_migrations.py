"""The tables a rebuild cannot bring back change only by numbered steps, each applied once."""

import psycopg2
import pytest

from services.reporting import migrations
from services.reporting.api import tokens
from tests.conftest import dsn_of

# What a database looked like before the ledger: the tables made at every start with
# IF NOT EXISTS, tokens without the column step 2 adds.
BEFORE_THE_LEDGER = """
CREATE TABLE reporting_tokens (
  token_id text PRIMARY KEY, funder_id text NOT NULL, token_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
CREATE TABLE reporting_sessions (
  session_sha256 text PRIMARY KEY, token_id text NOT NULL REFERENCES reporting_tokens (token_id),
  expires_at timestamptz NOT NULL);
INSERT INTO reporting_tokens (token_id, funder_id, token_sha256)
  VALUES ('tok_old', 'akimat', 'abc123');
"""


@pytest.fixture
def conn(pg_database):
    connection = psycopg2.connect(dsn_of(pg_database))
    yield connection
    connection.close()


def _ledger(cur):
    cur.execute(f"SELECT step, says FROM {migrations.LEDGER} ORDER BY step")
    return cur.fetchall()


def test_a_new_database_takes_every_step_once(conn):
    with conn, conn.cursor() as cur:
        assert migrations.prepare(cur) == [s.number for s in migrations.STEPS]
    with conn, conn.cursor() as cur:
        assert migrations.prepare(cur) == []
        assert [step for step, _ in _ledger(cur)] == [s.number for s in migrations.STEPS]
        issued = tokens.issue(cur, "akimat")
        assert tokens.funder_of(cur, f"Bearer {issued['token']}") == "akimat"


def test_a_database_from_before_the_ledger_keeps_its_tokens_and_gains_the_new_column(conn):
    with conn, conn.cursor() as cur:
        cur.execute(BEFORE_THE_LEDGER)
    with conn, conn.cursor() as cur:
        assert migrations.prepare(cur) == [s.number for s in migrations.STEPS]
        cur.execute("SELECT token_id, funder_id, last_used_at FROM reporting_tokens")
        assert cur.fetchall() == [("tok_old", "akimat", None)]


def test_a_database_migrated_by_a_newer_version_is_refused_by_name(conn):
    with conn, conn.cursor() as cur:
        migrations.prepare(cur)
        cur.execute(f"INSERT INTO {migrations.LEDGER} (step, says) VALUES (99, 'from later')")
    with conn, conn.cursor() as cur, pytest.raises(migrations.NewerDatabase,
                                                   match=r"steps \[99\].*knows 1 to "
                                                   f"{migrations.STEPS[-1].number}"):
        migrations.prepare(cur)


def test_the_steps_make_the_tables_the_code_names():
    written = " ".join(step.statements for step in migrations.STEPS)
    for name in migrations.NAMES:
        assert f"TABLE IF NOT EXISTS {name} (" in written, name
