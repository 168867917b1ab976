"""Funders' bearer tokens: issued and revoked by an admin command, stored only as hashes.

A token is 32 random bytes (url-safe base64). The table keeps its SHA-256, so a leaked
database yields no usable token; the lookup is by hash and the final comparison constant-time.
Tokens live outside the read model's schema, so a rebuild never logs anyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

TABLE = "reporting_tokens"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
  token_id text PRIMARY KEY, funder_id text NOT NULL, token_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz)
"""


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


def bearer_digest(authorization: str | None) -> str | None:
    """The hash of a `Bearer <token>` header's token; None if there is none."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    return _digest(authorization[len("Bearer "):].strip())


def funder_of(cur: Any, authorization: str | None) -> str | None:
    """The funder a `Bearer <token>` header belongs to, or None (missing, bad, revoked)."""
    digest = bearer_digest(authorization)
    if digest is None:
        return None
    cur.execute(f"SELECT funder_id, token_sha256 FROM {TABLE} WHERE token_sha256 = %s "
                "AND revoked_at IS NULL", (digest,))
    row = cur.fetchone()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    return str(row[0])
