"""The reporting tests' shared fixtures: a throwaway PostgreSQL database for read models,
the small complete event stream of stream.py, and that stream applied in log order."""

import uuid

import psycopg2
import pytest

from services.reporting.api import access, cache, tokens
from services.reporting.figures import daily, reports
from services.reporting.ingest import projections, tables
from tests.conftest import PG_HOST, PG_PORT, admin_connection
from tests.reporting.stream import stream

TABLES = ["programmes", "funders", "funder_roles", "targets", "commitments", "disbursements",
          "organisations",
          "participants", "enrolments", "trainers", "categories", "practices", "adoptions",
          "cabinets", "rounds", "scores", "profiles", "places", "cabinet_allocations",
          "comparison_schools", "access_changes", "faults", "strategies", "projects",
          "partnerships",
          *(f"{t}_superseded" for t in tables.SUPERSEDED)]


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


def asked_both_ways(conn, credential, programme, session=False):
    """(the one statement's answer, the full way's answer) for a programme request: with
    `session`, a dashboard's cookie secret; else an Authorization header."""
    with conn, conn.cursor() as cur:
        funder = (tokens.funder_of_session if session else tokens.funder_of)(cur, credential)
        live = tables.current(cur)
        full = None if funder is None else access.Access(
            funder, live, cache.version(cur, live, programme),
            programme in reports.visible_programmes(cur, funder, live),
            daily.stamp(cur) if session else None)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            ask = access.ask_session if session else access.ask
            return ask(cur, credential, programme), full
    finally:
        conn.autocommit = False
