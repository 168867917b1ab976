"""Funders' bearer tokens: issued and revoked by an admin command, stored only as hashes.

A token is 32 random bytes (url-safe base64). The table keeps its SHA-256, so a leaked
database yields no usable token; the lookup is by hash and the final comparison constant-time.
Tokens live outside the read model's schema, so a rebuild never logs anyone out.

A dashboard session is its own secret, not the token: the cookie carries 32 other random
bytes, stored hashed, valid for `SESSION_HOURS` and only while the token that opened it is
not revoked. A stolen cookie is therefore no API token, and it dies with its token.

When a token was last used is kept to about `USE_RESOLUTION` seconds: each process writes it
at most that often per token, so a busy funder costs one write per ten minutes, not one per
request (the cached report's single statement stays the only one).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

TABLE = "reporting_tokens"
SESSIONS = "reporting_sessions"
SESSION_HOURS = 8
SESSION_FUNDER = "baqylau_reporting_session_funder"
# The tables are made by the migration steps (services/reporting/migrations.py).
DDL = f"""
-- What makes a session live, in one place (api/access.py's one statement asks it too).
CREATE OR REPLACE FUNCTION {SESSION_FUNDER}(digest text)
RETURNS TABLE (funder_id text, session_sha256 text) LANGUAGE sql STABLE AS $$
  SELECT t.funder_id, s.session_sha256 FROM {SESSIONS} s JOIN {TABLE} t USING (token_id)
   WHERE s.session_sha256 = digest AND s.expires_at > now() AND t.revoked_at IS NULL
$$;
"""
USE_RESOLUTION = 600.0
_marked: dict[str, float] = {}  # token hash -> when this process last wrote its use


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(cur: Any, funder_id: str) -> dict[str, str]:
    token = secrets.token_urlsafe(32)
    token_id = f"tok_{secrets.token_hex(6)}"
    cur.execute(f"INSERT INTO {TABLE} (token_id, funder_id, token_sha256) VALUES (%s, %s, %s)",
                (token_id, funder_id, _digest(token)))
    return {"token_id": token_id, "funder_id": funder_id, "token": token}


def revoke(cur: Any, token_id: str) -> bool:
    cur.execute(f"UPDATE {TABLE} SET revoked_at = now() WHERE token_id = %s "
                "AND revoked_at IS NULL", (token_id,))
    return bool(cur.rowcount)


def listed(cur: Any, funder_id: str | None, include_revoked: bool) -> list[dict[str, Any]]:
    """Every token's id, funder, creation, last use and revocation; never a hash."""
    cur.execute(f"SELECT token_id, funder_id, created_at, last_used_at, revoked_at FROM {TABLE}"
                " WHERE (%(funder)s::text IS NULL OR funder_id = %(funder)s)"
                " AND (%(all)s OR revoked_at IS NULL) ORDER BY created_at, token_id",
                {"funder": funder_id, "all": include_revoked})
    return [{"token_id": row[0], "funder_id": row[1], "created_at": row[2],
             "last_used_at": row[3], "revoked_at": row[4]} for row in cur.fetchall()]


def mark_used(cur: Any, digest: str) -> None:
    """Record that the token with this hash answered a request now (see USE_RESOLUTION)."""
    now = time.monotonic()
    if now - _marked.get(digest, float("-inf")) < USE_RESOLUTION:
        return
    _marked[digest] = now
    cur.execute(f"UPDATE {TABLE} SET last_used_at = now() WHERE token_sha256 = %s", (digest,))


def bearer_digest(authorization: str | None) -> str | None:
    """The hash of a `Bearer <token>` header's token; None if there is none. The scheme is
    case-insensitive (RFC 7235 §2.1): `bearer x` is as good as `Bearer x`."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return _digest(credentials.strip())


def token_of(cur: Any, authorization: str | None) -> tuple[str, str] | None:
    """(token_id, funder_id) of a `Bearer <token>` header, or None (missing, bad, revoked)."""
    digest = bearer_digest(authorization)
    if digest is None:
        return None
    cur.execute(f"SELECT token_id, funder_id, token_sha256 FROM {TABLE} "
                "WHERE token_sha256 = %s AND revoked_at IS NULL", (digest,))
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[2], digest):
        return None
    mark_used(cur, digest)
    return str(row[0]), str(row[1])


def funder_of(cur: Any, authorization: str | None) -> str | None:
    """The funder a `Bearer <token>` header belongs to, or None (missing, bad, revoked)."""
    found = token_of(cur, authorization)
    return None if found is None else found[1]


def open_session(cur: Any, token_id: str) -> str:
    """A new dashboard session for the token; returns its secret (shown to the browser once)."""
    secret = secrets.token_urlsafe(32)
    cur.execute(f"DELETE FROM {SESSIONS} WHERE expires_at < now()")
    cur.execute(f"INSERT INTO {SESSIONS} (session_sha256, token_id, expires_at) "
                f"VALUES (%s, %s, now() + interval '{SESSION_HOURS} hours')",
                (session_digest(secret), token_id))
    return secret


def session_digest(secret: str) -> str:
    """How a session's secret is stored and looked up."""
    return _digest(secret)


def funder_of_session(cur: Any, secret: str | None) -> str | None:
    """The funder of a live session: not expired, its token not revoked; else None."""
    if not secret:
        return None
    digest = session_digest(secret)
    cur.execute(f"SELECT * FROM {SESSION_FUNDER}(%s)", (digest,))
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    return str(row[0])
