"""Who asks, for what, in one round trip.

Every programme request needs four answers before it can be served: the token's funder, the
live read model, that model's version (the report cache's key) and whether the programme is
the funder's. Asked as four queries in a transaction they were six round trips to
PostgreSQL, the whole cost of a cached report at fifty connections. One function answers
them in one statement, outside any transaction; a cached report is then served with no
other query. Anything the function cannot settle (no such token, a programme not theirs, a
report not cached yet, an `as_of` moment) goes the full way, in a transaction, as before.
A dashboard's session cookie is settled the same way, with the stamp of the daily series
its charts are drawn from.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any, NamedTuple

from services.reporting.api import tokens
from services.reporting.figures import daily
from services.reporting.ingest import tables

FUNCTION = "baqylau_reporting_access"
SESSION_FUNCTION = "baqylau_reporting_session_access"
STATE_FUNCTION = "baqylau_reporting_programme_state"
# STABLE: one snapshot for the whole call (a STABLE function called inside shares it), so
# the pointer, the version and the programmes it reads belong to one state of the database.
DDL = f"""
CREATE OR REPLACE FUNCTION {STATE_FUNCTION}(funder text, programme text)
RETURNS TABLE (schema_name text, version bigint, visible boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  live text; seen bigint; theirs boolean;
BEGIN
  SELECT p.schema_name INTO live FROM {tables.POINTER} p WHERE p.id = 1;
  EXECUTE format('SELECT (SELECT version FROM %1$I.changes WHERE id = 1) + coalesce('
                 '(SELECT version FROM %1$I.programme_changes WHERE programme_id = $2), 0), '
                 '(EXISTS (SELECT 1 FROM %1$I.funder_roles WHERE funder_id = $1 '
                 '         AND programme_id = $2) '
                 ' OR EXISTS (SELECT 1 FROM %1$I.commitments WHERE funder_id = $1 '
                 '         AND programme_id = $2)) '
                 'AND EXISTS (SELECT 1 FROM %1$I.programmes WHERE programme_id = $2)', live)
    INTO seen, theirs USING funder, programme;
  RETURN QUERY SELECT live, seen, theirs;
END $$;

CREATE OR REPLACE FUNCTION {FUNCTION}(digest text, programme text)
RETURNS TABLE (funder_id text, token_sha256 text, schema_name text, version bigint,
               visible boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  funder text; stored text;
BEGIN
  SELECT t.funder_id, t.token_sha256 INTO funder, stored FROM {tokens.TABLE} t
   WHERE t.token_sha256 = digest AND t.revoked_at IS NULL;
  IF funder IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT funder, stored, s.* FROM {STATE_FUNCTION}(funder, programme) s;
END $$;

-- A dashboard session's, if it is live (tokens.SESSION_FUNDER), with the stamp of the
-- daily series its page is drawn from.
CREATE OR REPLACE FUNCTION {SESSION_FUNCTION}(digest text, programme text)
RETURNS TABLE (funder_id text, session_sha256 text, schema_name text, version bigint,
               visible boolean, daily_version bigint, today date)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  funder text; stored text;
BEGIN
  SELECT f.funder_id, f.session_sha256 INTO funder, stored
    FROM {tokens.SESSION_FUNDER}(digest) f;
  IF funder IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT funder, stored, s.*,
    (SELECT d.version FROM {daily.CHANGES} d WHERE d.id = 1), current_date
    FROM {STATE_FUNCTION}(funder, programme) s;
END $$;
"""


class Access(NamedTuple):
    funder_id: str
    schema: str
    version: int
    visible: bool
    daily: tuple[int, date] | None = None  # a session's: the daily series' stamp


def ask(cur: Any, authorization: str | None, programme_id: str) -> Access | None:
    """The request's funder, the live schema, its version and whether `programme_id` is the
    funder's and launched (as `reports.visible_programmes` has it); None for a missing,
    malformed, unknown or revoked token."""
    digest = tokens.bearer_digest(authorization)
    if digest is None:
        return None
    cur.execute(f"SELECT * FROM {FUNCTION}(%s, %s)", (digest, programme_id))
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    tokens.mark_used(cur, digest)
    return Access(str(row[0]), str(row[2]), int(row[3] or 0), bool(row[4]))


def ask_session(cur: Any, secret: str | None, programme_id: str) -> Access | None:
    """The same for a dashboard session's cookie, with the daily series' stamp; None for
    no cookie, or a session unknown, expired or whose token is revoked."""
    if not secret:
        return None
    digest = tokens.session_digest(secret)
    cur.execute(f"SELECT * FROM {SESSION_FUNCTION}(%s, %s)", (digest, programme_id))
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    return Access(str(row[0]), str(row[2]), int(row[3] or 0), bool(row[4]),
                  (int(row[5] or 0), row[6]))
