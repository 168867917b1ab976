"""Indexes on the read model's tables beyond their keys."""

from __future__ import annotations

from psycopg2 import sql


def statements(schema: str) -> list[sql.Composable]:
    return []
