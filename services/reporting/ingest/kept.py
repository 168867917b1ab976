"""Figures kept per programme beside the facts, updated in the transaction that writes them."""

from __future__ import annotations

from psycopg2 import sql


def statements(schema: str) -> list[sql.Composable]:
    return []
