"""The reporting tests' shared fixtures: a throwaway PostgreSQL database for read models,
the small complete event stream of stream.py, and that stream applied in log order."""

import uuid

import psycopg2
import pytest

from services.reporting.ingest import projections, tables
from tests.conftest import PG_HOST, PG_PORT, admin_connection
from tests.reporting.stream import stream

TABLES = ["programmes", "funders", "funder_roles", "targets", "commitments", "disbursements",
          "organisations",
          "participants", "enrolments", "trainers", "categories", "practices", "adoptions",
          "cabinets", "rounds", "scores", "profiles", "places", "cabinet_allocations",
          "comparison_schools", *(f"{t}_superseded" for t in tables.SUPERSEDED)]


@pytest.fixture(scope="module")
def database():
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = admin_connection()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" OWNER reporting')
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user="reporting",
                            password="reporting", dbname=name)
    yield conn
    conn.close()
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    return stream(tmp_path_factory.mktemp("stream"))


def fresh_schema(conn):
    schema = f"rm_{uuid.uuid4().hex[:8]}"
    with conn, conn.cursor() as cur:
        tables.create(cur, schema)
    return schema


def dump(conn, schema):
    with conn, conn.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT * FROM {schema}.{table}")
            out[table] = sorted(cur.fetchall(), key=repr)
        return out


@pytest.fixture(scope="module")
def in_order(database, events):
    schema = fresh_schema(database)
    for envelope in events:
        assert projections.handle(database, envelope, schema)
    return dump(database, schema), schema


