"""The tables a rebuild cannot bring back, under numbered steps.

The read model is made from the logs and rebuilt whenever its shape changes (ingest/tables.py).
Funders' tokens and sessions, their approvals and the daily figures the dashboard's lines are
drawn from are not in any log: they are changed only by these steps, each applied once, in
order, and recorded in LEDGER with when. A step is never edited once released; a change is a
new step. Step 1 is written so that a database made before the ledger existed (by the same
statements run with IF NOT EXISTS at every start) takes it without change.

The functions and triggers beside those tables (ROUTINES) hold no data: they are the code's,
replaced at every start with `CREATE OR REPLACE`, so a new version's take effect at once.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from services.reporting.api import access, tokens
from services.reporting.figures import approvals, daily

LEDGER = "reporting_migrations"


class Step(NamedTuple):
    number: int
    says: str
    statements: str


STEPS: tuple[Step, ...] = (
    Step(1, "tokens, sessions, approvals and daily figures", """
CREATE TABLE IF NOT EXISTS reporting_tokens (
  token_id text PRIMARY KEY, funder_id text NOT NULL, token_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
CREATE TABLE IF NOT EXISTS reporting_sessions (
  session_sha256 text PRIMARY KEY,
  token_id text NOT NULL REFERENCES reporting_tokens (token_id),
  expires_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS reporting_approvals (
  approval_id text PRIMARY KEY, programme_id text NOT NULL, funder_id text NOT NULL,
  token_id text NOT NULL, up_to timestamptz NOT NULL,
  approved_at timestamptz NOT NULL DEFAULT now(), note text, figures jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS reporting_approvals_programme
  ON reporting_approvals (programme_id, approved_at);
CREATE TABLE IF NOT EXISTS reporting_daily_figures (
  day date, programme_id text, figure text, value bigint NOT NULL,
  PRIMARY KEY (programme_id, figure, day));
CREATE TABLE IF NOT EXISTS reporting_daily_changes (
  id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
INSERT INTO reporting_daily_changes VALUES (1, 0) ON CONFLICT DO NOTHING;
"""),
    Step(2, "when a token was last used", """
ALTER TABLE reporting_tokens ADD COLUMN IF NOT EXISTS last_used_at timestamptz;
"""),
)

ROUTINES = (tokens.DDL, daily.DDL, access.DDL)
# Everything here is named by the modules that use it; the steps spell the names out, since
# a released step must not change when a constant does (a test holds them equal).
NAMES = (tokens.TABLE, tokens.SESSIONS, approvals.TABLE, daily.TABLE, daily.CHANGES)


class NewerDatabase(RuntimeError):
    """The database has steps this code does not know: a newer version migrated it."""


def prepare(cur: Any) -> list[int]:
    """Bring the tables up to the newest step and the routines to this code's; returns the
    steps applied now. Callers hold the setup lock (api/database.py), so replicas starting
    together apply each step once."""
    applied = migrate(cur)
    for routine in ROUTINES:
        cur.execute(routine)
    return applied


def migrate(cur: Any) -> list[int]:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {LEDGER} (step int PRIMARY KEY,"
                " says text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
    cur.execute(f"SELECT step FROM {LEDGER}")
    done = {row[0] for row in cur.fetchall()}
    unknown = sorted(done - {step.number for step in STEPS})
    if unknown:
        raise NewerDatabase(
            f"the database has migration steps {unknown} that this version does not know"
            f" (it knows 1 to {STEPS[-1].number}): run the newer version, or restore"
            " the database from before it")
    applied = []
    for step in STEPS:
        if step.number not in done:
            cur.execute(step.statements)
            cur.execute(f"INSERT INTO {LEDGER} (step, says) VALUES (%s, %s)",
                        (step.number, step.says))
            applied.append(step.number)
    return applied
