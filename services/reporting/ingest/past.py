"""The read model as of any past moment, as views over the live tables.

Every fact row keeps when its event was recorded, and every version a changing fact had
is kept (versions.py). So the model as of a moment M is: each fact recorded by M, in the
newest of its versions recorded by M; each step (an enrolment's ending, a cabinet's
delivery) only if recorded by M. The views beside the live schema (`<schema>_past`, one
view per table, the same columns) say exactly that, for the moment the transaction names:

    SELECT set_config('baqylau.as_of', '2024-05-31T18:59:59+00:00', true);

so that every report's SQL runs unchanged against them. Nothing is copied or replayed.
Versions of one fact are recorded in version order (one aggregate's events are), which is
why "the live row if recorded by M, else the newest superseded one recorded by M" is right.
"""

from __future__ import annotations

from psycopg2 import sql

from services.reporting.ingest import tables
from services.reporting.ingest.tables import Cursor, q

# An error if no moment is set. A subquery, so that it is read once per query (an InitPlan),
# not once per row and column.
MOMENT = "(SELECT current_setting('baqylau.as_of')::timestamptz)"

# Steps of a fact that each happen once: the columns a step fills, shown only once the
# step's event was recorded by the moment.
STEPS: dict[str, dict[str, tuple[str, ...]]] = {
    "enrolments": {"enrolled_at": ("enrolled_src", "enrolled_nid", "enrolled_on"),
                   "ended_at": ("ended_src", "ended_nid", "ended_on", "status",
                                "status_version")},
    "cabinets": {"procured_at": ("procured_src", "procured_nid", "procured_on", "cost_kzt",
                                 "commitment_id", "funder_id"),
                 "delivered_at": ("delivered_src", "delivered_nid", "delivered_on",
                                  "delivered"),
                 "commissioned_at": ("commissioned_src", "commissioned_nid", "commissioned_on",
                                     "commissioned", "internet_mbps")},
    "faults": {"reported_at": ("reported_src", "reported_nid", "reported_on", "description"),
               "resolved_at": ("resolved_src", "resolved_nid", "resolved_on", "resolution")},
}
# What a step's column reads before the step (NULL when not named).
BEFORE = {"status": "'enrolled'", "status_version": "0", "delivered": "false",
          "commissioned": "false"}
# The order of a changing fact's versions, newest first, where it is not just `version`.
RANK = {"organisations": "school_year DESC, version DESC"}
# Columns merged over every version recorded by the moment, not taken from the newest.
MERGED = {
    "organisations": {"name_ru": "first_value(name_ru) OVER (PARTITION BY organisation_id"
                                 " ORDER BY name_ru IS NULL, version DESC)"},
    "categories": {"attested_on": "min(attested_on) OVER (PARTITION BY teacher_id)"},
}
UNFILTERED = {"watermarks", "changes", "programme_changes"}


def ensure(cur: Cursor, schema: str) -> str:
    """The past's views beside `schema`, made on first use; returns their schema."""
    past = tables.past_schema(schema)
    if not _exists(cur, past):
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (past,))
        if not _exists(cur, past):  # made by another request while this one waited
            cur.execute(q("CREATE SCHEMA {p}", schema, p=past))
            live = sql.Identifier(schema).as_string(cur)
            for table in tables.TABLES:
                cur.execute(q("CREATE VIEW {p}.{t} AS ", schema, p=past, t=table)
                            + sql.SQL(_view(live, table, _columns(cur, schema, table))))
    return past


def _exists(cur: Cursor, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,))
    return cur.fetchone() is not None


def _columns(cur: Cursor, schema: str, table: str) -> list[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s"
                " AND table_name = %s ORDER BY ordinal_position", (schema, table))
    return [row[0] for row in cur.fetchall()]


def _view(s: str, table: str, columns: list[str]) -> str:
    """The view's body over the live schema `s` (quoted); the rest is this module's own."""
    if table in UNFILTERED:
        return f"SELECT * FROM {s}.{table}"
    if table == "processed":
        return f"SELECT * FROM {s}.processed WHERE recorded_at <= {MOMENT}"
    if table == "cabinets":
        return _cabinets(s, columns)
    if table in STEPS:
        return _stepped(s, table, columns)
    if table in tables.SUPERSEDED:
        return _versioned(s, table, columns)
    return f"SELECT * FROM {s}.{table} WHERE recorded_at <= {MOMENT}"


def _stepped(s: str, table: str, columns: list[str], extra: dict[str, str] | None = None,
             also: str = "") -> str:
    shown = {c: step for step, cs in STEPS[table].items() for c in (*cs, step)}
    exprs = []
    for c in columns:
        if c in (extra or {}):
            exprs.append(f"{(extra or {})[c]} AS {c}")
        elif c in shown:
            exprs.append(f"CASE WHEN t.{shown[c]} <= {MOMENT} THEN t.{c}"
                         f" ELSE {BEFORE.get(c, 'NULL')} END AS {c}")
        else:
            exprs.append(f"t.{c}")
    recorded = " OR ".join(f"t.{step} <= {MOMENT}" for step in STEPS[table])
    return (f"SELECT {', '.join(exprs)} FROM {s}.{table} t {also}"
            f" WHERE {recorded}{' OR a.version IS NOT NULL' if also else ''}")


def _cabinets(s: str, columns: list[str]) -> str:
    """A cabinet's allocation is every version in cabinet_allocations: the newest by then."""
    allocation = (f"LEFT JOIN LATERAL (SELECT x.allocated, x.version FROM {s}.cabinet_allocations x"
                  f" WHERE x.cabinet_id = t.cabinet_id AND x.recorded_at <= {MOMENT}"
                  " ORDER BY x.version DESC LIMIT 1) a ON true")
    return _stepped(s, "cabinets", columns, {"allocated": "a.allocated",
                                             "allocation_version": "coalesce(a.version, 0)"},
                    also=allocation)


def _versioned(s: str, table: str, columns: list[str]) -> str:
    key = tables.key_names(table)
    merged = MERGED.get(table, {})
    newest = ", ".join(f"{merged[c]} AS {c}" if c in merged else f"o.{c}" for c in columns)
    live = ", ".join(f"t.{c}" for c in columns)
    same = " AND ".join(f"t.{k} = o.{k}" for k in key)
    return (f"SELECT {live} FROM {s}.{table} t WHERE t.recorded_at <= {MOMENT}"
            f" UNION ALL (SELECT DISTINCT ON ({', '.join(key)}) {newest}"
            f" FROM {s}.{table}_superseded o WHERE o.recorded_at <= {MOMENT}"
            f" AND NOT EXISTS (SELECT 1 FROM {s}.{table} t WHERE {same}"
            f" AND t.recorded_at <= {MOMENT})"
            f" ORDER BY {', '.join(key)}, {RANK.get(table, 'version DESC')})")
