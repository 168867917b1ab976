"""The read model's tables in PostgreSQL, the pointer to the live schema and its version.
The projections (projections.py) fill them from every service's public events so that any
arrival order and any number of redeliveries give the same tables.

Each table is declared once, as its key and its columns (TABLES). `create` makes a new
schema with them, and brings a schema made by an older version to the same shape (every
statement is `IF NOT EXISTS`), so one declaration is both the fresh schema and the upgrade.
What an older model lacks in content is restored by a rebuild (MODEL_VERSION, runner.py).

Every fact keeps when the event behind it was recorded (`recorded_at`, or one per step):
with the versions a fact had before (the `*_superseded` tables), that is the read model's
own past, which past.py turns into the report as of any moment.
"""

from __future__ import annotations

import psycopg2.extensions
from psycopg2 import sql

from services.reporting.ingest import indexes, kept

SCHEMA = "rm"
Cursor = psycopg2.extensions.cursor

EVENT = "by_src text, by_nid bigint, recorded_at timestamptz"  # the event behind a fact

# table: (its key, its columns). A column added to a table made before comes at the end
# and is empty until the rebuild; so only columns with a default may be NOT NULL.
TABLES: dict[str, tuple[str, str]] = {
    # Every event applied, with who sent the command that stored it and, for an imported
    # file's rows, the file (the envelope's recordedby, sourcefile, sourcesha256): NULL
    # where the event names none (stored before they existed, or by a service on its own).
    "processed": ("source text, notification_id bigint",
                  "event_type text NOT NULL DEFAULT '', recorded_at timestamptz,"
                  " recorded_by text, source_file text, source_sha256 text"),
    "watermarks": ("source text", "after bigint NOT NULL DEFAULT 0"),
    "changes": ("id int CHECK (id = 1)", "version bigint NOT NULL DEFAULT 0"),
    # Each programme's own version beside the model's: an event that only changes one
    # programme's figures bumps that programme's, so the others' cached reports stay.
    "programme_changes": ("programme_id text", "version bigint NOT NULL DEFAULT 0"),
    "programmes": ("programme_id text", "name_kk text, name_ru text, name_en text,"
                   f" regions text[], start_date date, end_date date, budget_kzt bigint, {EVENT}"),
    "funders": ("funder_id text", "name_kk text, name_ru text, name_en text,"
                f" organisation_type text, {EVENT}"),
    "funder_roles": ("programme_id text, funder_id text, role text",
                     f"iati_role_code text, {EVENT}"),
    "targets": ("programme_id text, indicator text", "measure text, baseline numeric,"
                f" target numeric, period_end date, version int NOT NULL DEFAULT 0, {EVENT}"),
    "commitments": ("commitment_id text", "programme_id text NOT NULL,"
                    " funder_id text NOT NULL, scope text NOT NULL,"
                    f" amount_kzt bigint NOT NULL, committed_on date, {EVENT}"),
    "organisations": ("organisation_id text", "kind text, region_code text, district_code text,"
                      " name_ru text, school_year text, small_class boolean, pupils int,"
                      f" teachers int, version int NOT NULL DEFAULT 0, {EVENT}"),
    "participants": ("programme_id text, organisation_id text", "model text, kind text,"
                     f" district_code text, joined_on date, {EVENT}"),
    # An enrolment is made by its enrolment and (at most) one ending, kept step by step.
    "enrolments": ("enrolment_id uuid", "programme_id text, role text, participant_id text,"
                   " school_id text, team_id text, status text,"
                   " status_version int NOT NULL DEFAULT 0, enrolled_src text,"
                   " enrolled_nid bigint, ended_src text, ended_nid bigint, enrolled_on date,"
                   " ended_on date, enrolled_at timestamptz, ended_at timestamptz"),
    "trainers": ("programme_id text, person_id text", f"certified_on date, {EVENT}"),
    "categories": ("teacher_id text", "programme_id text, category text,"
                   f" version int NOT NULL DEFAULT 0, attested_on date, {EVENT}"),
    "practices": ("practice_id uuid", "programme_id text, school_id text, code text,"
                  f" direction text, title text, published_on date, {EVENT}"),
    "adoptions": ("practice_id uuid, school_id text",
                  f"programme_id text, adopted_on date, {EVENT}"),
    # A cabinet's steps each happen once; its allocation may be cancelled and given back
    # (every version in cabinet_allocations).
    "cabinets": ("cabinet_id uuid", "programme_id text, organisation_id text, kind text,"
                 " district_code text, allocated boolean,"
                 " allocation_version int NOT NULL DEFAULT 0, cost_kzt bigint,"
                 " commitment_id text, funder_id text, delivered boolean NOT NULL DEFAULT false,"
                 " commissioned boolean NOT NULL DEFAULT false, internet_mbps numeric,"
                 " procured_on date, procured_src text, procured_nid bigint,"
                 " delivered_src text, delivered_nid bigint, commissioned_src text,"
                 " commissioned_nid bigint, delivered_on date, commissioned_on date,"
                 " procured_at timestamptz, delivered_at timestamptz,"
                 " commissioned_at timestamptz"),
    "cabinet_allocations": ("cabinet_id uuid, version int", f"allocated boolean, {EVENT}"),
    # A fault, keyed by its cabinet and its id (an id names a fault on one cabinet):
    # reported once, resolved at most once, each step with its event, whichever comes first.
    "faults": ("cabinet_id uuid, fault_id text", "programme_id text, organisation_id text,"
               " district_code text, reported_on date, description text, resolved_on date,"
               " resolution text, reported_src text, reported_nid bigint,"
               " reported_at timestamptz, resolved_src text, resolved_nid bigint,"
               " resolved_at timestamptz"),
    "rounds": ("round_id text", "programme_id text, phase text, baseline_round_id text,"
               f" school_year text, subjects jsonb, opened_on date, {EVENT}"),
    # The schools a round assesses as its comparison group: outside the programme, so in
    # none of its figures, only on the other side of the outcomes' difference in differences.
    "comparison_schools": ("round_id text, school_id text", EVENT),
    "expenditures": ("commitment_id text, reference text", "programme_id text NOT NULL,"
                     " funder_id text NOT NULL, category text NOT NULL,"
                     f" amount_kzt bigint NOT NULL, spent_on date, {EVENT}"),
    "disbursements": ("commitment_id text, reference text", "programme_id text NOT NULL,"
                      " funder_id text NOT NULL, amount_kzt bigint NOT NULL,"
                      f" disbursed_on date, {EVENT}"),
    # Every school year's profile: a round's small-class split uses its own year's.
    "profiles": ("organisation_id text, school_year text", "small_class boolean, pupils int,"
                 f" version int NOT NULL DEFAULT 0, {EVENT}"),
    # A score is keyed by the sheet that holds it (round, school, grade; its version is that
    # sheet's) and the pupil: one pupil recorded by two schools counts at each, as stored.
    "scores": ("round_id text, school_id text, grade int, pupil_ref text, subject text",
               f"score int, version int NOT NULL DEFAULT 0, {EVENT}"),
    # A school's development (the Uralsk model): its strategy, the projects it runs and the
    # partners it drew in, each recorded once per id.
    "strategies": ("strategy_id text", "programme_id text, organisation_id text, title text,"
                   f" adopted_on date, valid_until date, {EVENT}"),
    "projects": ("project_id text", "programme_id text, organisation_id text, title text,"
                 f" launched_on date, strategy_id text, {EVENT}"),
    "partnerships": ("partnership_id text", "programme_id text, organisation_id text,"
                     " partner_name text, partner_kind text, signed_on date, purpose text,"
                     f" memorandum_ref text, {EVENT}"),
    # The classifier's regions (2-digit code) and districts (4-digit), by name.
    "places": ("place_code text", "level text NOT NULL DEFAULT '',"
               " kato text NOT NULL DEFAULT '', name_kk text, name_ru text, name_en text,"
               f" version int NOT NULL DEFAULT 0, {EVENT}"),
    # The registry's grants to calling systems, each grant and revocation as it came
    # (`granted` false: a revocation, with no role): who could record, and who said so.
    "access_changes": ("by_src text, by_nid bigint", "principal text, granted boolean,"
                       " role text, programmes text[], changed_by text,"
                       " recorded_at timestamptz"),
}

# Facts whose newest version is the live row: every version it replaced or that arrived
# too late to replace it is kept beside it (same columns), keyed with the version.
SUPERSEDED: dict[str, str] = {
    "targets": "programme_id, indicator, version",
    "organisations": "organisation_id, version",
    "categories": "teacher_id, version",
    "profiles": "organisation_id, school_year, version",
    "scores": "round_id, school_id, grade, pupil_ref, subject, version",
    "places": "place_code, version",
}

# Keys changed since a table was first made: a model made with the older key is re-keyed
# (rebuild() then brings back what that key had dropped). Version 2 keyed scores by
# (round, pupil, subject), which dropped a pupil recorded by two schools.
REKEYED = {"scores": 3}


def _statements(schema: str) -> list[sql.Composable]:
    s = sql.Identifier(schema)
    out: list[sql.Composable] = [sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s)]
    for table, (key, columns) in TABLES.items():
        t = sql.SQL("{}.{}").format(s, sql.Identifier(table))
        out.append(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))").format(
            t, sql.SQL(key), sql.SQL(", ").join(map(sql.Identifier, key_names(table)))))
        gain = sql.SQL(", ").join(sql.SQL("ADD COLUMN IF NOT EXISTS " + column)
                                  for column in columns.split(", "))
        out.append(sql.SQL("ALTER TABLE {} {}").format(t, gain))
        if table in SUPERSEDED:
            old = sql.SQL("{}.{}").format(s, sql.Identifier(f"{table}_superseded"))
            out.append(sql.SQL("CREATE TABLE IF NOT EXISTS {} (LIKE {}, PRIMARY KEY ({}))")
                       .format(old, t, sql.SQL(SUPERSEDED[table])))
            out.append(sql.SQL("ALTER TABLE {} {}").format(old, gain))
    out.append(sql.SQL("INSERT INTO {}.changes VALUES (1, 0) ON CONFLICT DO NOTHING").format(s))
    out.extend(indexes.statements(schema))
    out.extend(kept.statements(schema))
    return out


def key_names(table: str) -> list[str]:
    return [column.split()[0] for column in TABLES[table][0].split(", ")]


def key_types(table: str) -> list[str]:
    return [column.split()[1] for column in TABLES[table][0].split(", ")]


def column_types(table: str) -> dict[str, str]:
    """Every column's SQL type as declared (a `*_superseded` twin has its table's)."""
    key, columns = TABLES[table.removesuffix("_superseded")]
    return {c.split()[0]: c.split()[1] for c in f"{key}, {columns}".split(", ")}


def create(cur: Cursor, schema: str = SCHEMA) -> None:
    """A schema with every table; an existing one gains what it lacks."""
    for statement in _statements(schema):
        cur.execute(statement)
    for table, columns in REKEYED.items():
        _rekey(cur, schema, table, columns)


def _rekey(cur: Cursor, schema: str, table: str, old_width: int) -> None:
    cur.execute("SELECT count(*) FROM information_schema.key_column_usage WHERE"
                " table_schema = %s AND table_name = %s AND constraint_name = %s",
                (schema, table, f"{table}_pkey"))
    if cur.fetchone()[0] == old_width:
        cur.execute(sql.SQL("ALTER TABLE {}.{} DROP CONSTRAINT {}, ADD PRIMARY KEY ({})").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(f"{table}_pkey"),
            sql.SQL(", ").join(map(sql.Identifier, key_names(table)))))


def drop(cur: Cursor, schema: str) -> None:
    """A schema and the views of its past (past.py)."""
    for name in (schema, past_schema(schema)):
        cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def past_schema(schema: str) -> str:
    """Where the views of `schema`'s past are (past.py): made again on first use after
    the tables change shape."""
    return f"{schema}_past"


# Which schema holds the live read model. A rebuild fills a new schema beside it and switches
# this pointer in one transaction; readers and writers look it up per transaction.
POINTER = "reporting_read_model"


# What the tables mean. `create` brings an older model's tables to the current shape, but
# not the facts its code never projected: new columns stay empty, new tables hold nothing
# of events already applied. So a model whose version is below this one is rebuilt from
# the logs on start (runner.py); raise it whenever the projections keep something an
# existing model lacks. A fresh database starts at this version.
MODEL_VERSION = 7


def ensure_current(cur: Cursor) -> str:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {POINTER} (id int PRIMARY KEY CHECK (id = 1),"
                " schema_name text NOT NULL)")
    cur.execute(f"ALTER TABLE {POINTER} ADD COLUMN IF NOT EXISTS model_version int NOT NULL"
                " DEFAULT 1")
    cur.execute(f"INSERT INTO {POINTER} (id, schema_name, model_version) VALUES (1, %s, %s)"
                " ON CONFLICT DO NOTHING", (SCHEMA, MODEL_VERSION))
    schema = current(cur)
    create(cur, schema)
    cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
        sql.Identifier(past_schema(schema))))  # for the shape just made
    return schema


def outdated(cur: Cursor) -> bool:
    """True when the live model was built by an older version: rebuild it."""
    cur.execute(f"SELECT model_version FROM {POINTER} WHERE id = 1")
    return int(cur.fetchone()[0]) < MODEL_VERSION


def current(cur: Cursor, lock: bool = False) -> str:
    """The live schema. With `lock`, a switch waits until this transaction ends."""
    cur.execute(f"SELECT schema_name FROM {POINTER} WHERE id = 1"
                + (" FOR SHARE" if lock else ""))
    return str(cur.fetchone()[0])


def switch(cur: Cursor, schema: str) -> str:
    """Make `schema` the live read model; returns the one it replaces."""
    old = current(cur)
    cur.execute(f"UPDATE {POINTER} SET schema_name = %s, model_version = %s WHERE id = 1",
                (schema, MODEL_VERSION))
    return old


def bump(cur: Cursor, schema: str, programmes: set[str] | None) -> None:
    """Say that the model changed, in the transaction that changed it: for `programmes`
    only, or for every programme (None). A cached answer keys on the sum of the model's
    version and its programme's (api/cache.py): both only grow, so each state of a
    programme has its own sum, and an event of one programme leaves the others' answers."""
    if programmes is None:
        cur.execute(q("UPDATE {s}.changes SET version = version + 1 WHERE id = 1", schema))
    elif programmes:  # in one order, so that two writers never wait on each other's rows
        cur.execute(q("INSERT INTO {s}.programme_changes AS c SELECT p, 1 FROM"
                      " unnest(%s::text[]) p ON CONFLICT (programme_id) DO UPDATE"
                      " SET version = c.version + 1", schema), (sorted(programmes),))


# A programme's version as a cached answer is keyed by (see `bump`); `{p}` names the programme.
VERSION_OF = ("(SELECT version FROM {s}.changes WHERE id = 1) + coalesce((SELECT version"
              " FROM {s}.programme_changes WHERE programme_id = {p}), 0)")


def q(template: str, schema: str, **parts: str | sql.Composable) -> sql.Composed:
    """SQL with its identifiers quoted: `{s}` is the schema; each other field is a name
    (a str) or a piece of SQL composed the same way."""
    return sql.SQL(template).format(s=sql.Identifier(schema), **{
        k: v if isinstance(v, sql.Composable) else sql.Identifier(v) for k, v in parts.items()})
