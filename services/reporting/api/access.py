"""Who asks, for what, in one round trip.

Every programme request needs four answers before it can be served: the token's funder, the
live read model, that model's version (the report cache's key) and whether the programme is
the funder's. Asked as four queries in a transaction they were six round trips to
PostgreSQL, the whole cost of a cached report at fifty connections. One function answers
them in one statement, outside any transaction; a cached report is then served with no
other query. Anything the function cannot settle (no such token, a programme not theirs, a
report not cached yet, an `as_of` moment) goes the full way, in a transaction, as before.
"""

from __future__ import annotations

import hmac
from typing import Any, NamedTuple

from services.reporting.api import tokens
from services.reporting.ingest import tables

FUNCTION = "baqylau_reporting_access"
# STABLE: one snapshot for the whole call, so the pointer, the version and the programmes
# it reads belong to one state of the database.
DDL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(digest text, programme text)
RETURNS TABLE (funder_id text, token_sha256 text, schema_name text, version bigint,
               visible boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  funder text; stored text; live text; seen bigint; theirs boolean;
BEGIN
  SELECT t.funder_id, t.token_sha256 INTO funder, stored FROM {tokens.TABLE} t
   WHERE t.token_sha256 = digest AND t.revoked_at IS NULL;
  IF funder IS NULL THEN
    RETURN;
  END IF;
  SELECT p.schema_name INTO live FROM {tables.POINTER} p WHERE p.id = 1;
  EXECUTE format('SELECT (SELECT version FROM %1$I.changes WHERE id = 1), '
                 '(EXISTS (SELECT 1 FROM %1$I.funder_roles WHERE funder_id = $1 '
                 '         AND programme_id = $2) '
                 ' OR EXISTS (SELECT 1 FROM %1$I.commitments WHERE funder_id = $1 '
                 '         AND programme_id = $2)) '
                 'AND EXISTS (SELECT 1 FROM %1$I.programmes WHERE programme_id = $2)', live)
    INTO seen, theirs USING funder, programme;
  RETURN QUERY SELECT funder, stored, live, seen, theirs;
END $$
"""


class Access(NamedTuple):
    funder_id: str
    schema: str
    version: int
    visible: bool


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
