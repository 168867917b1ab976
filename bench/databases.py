"""Scratch PostgreSQL databases for the bench's in-process services, dropped after use."""

from __future__ import annotations

import uuid

import psycopg2

ADMIN = "host=127.0.0.1 port=5433 user=postgres password=postgres dbname=postgres"


def scratch_database() -> dict:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(ADMIN)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{name}" OWNER training')
    conn.close()
    return {"persistence_module": "eventsourcing.postgres", "dbname": name,
            "host": "127.0.0.1", "port": 5433, "user": "training", "password": "training"}


def drop_database(store: dict) -> None:
    conn = psycopg2.connect(ADMIN)
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{store["dbname"]}" WITH (FORCE)')
    conn.close()
