"""Figures kept per programme beside the facts, updated in the transaction that writes them.

A report's learning outcomes need, per school, grade and subject of a round, the pupils, the
sum and the sum of squares of their scores and how many reached the round's threshold
(`score_cells`); and per endline round, on the pupils matched with its baseline (same pupil
reference and subject), per the baseline's school, grade and subject: the pairs and the
sums Σb, Σb², Σe, Σe², Σbe (`matched_scores`). Both are kept by PostgreSQL triggers on
`scores` and `rounds` (kept_sql.py), so a report reads a bounded number of rows whatever
the number of scores, and every way a row reaches `scores` (the projections, a bulk load
through the same INSERT) keeps them. The triggers are per statement, over the statement's
transition tables: a sheet of 10,000 scores costs one aggregate, not 10,000 row triggers.

What the kept rows always equal (the property test, tests/reporting/test_kept_scores.py,
compares them with a recomputation): the sums over the live `scores` and `rounds` rows.
A round that arrives after its scores recounts its cells and its matched pairs; a round not
arrived yet counts no pupil at or above a threshold and no pairs (the report joins `rounds`
anyway, so such cells are not shown). A cell whose pupils fell to 0 stays, with zeros; the
report skips it. These tables hold the live model only: the report as of a past moment
reads the scores themselves (outcomes.py).
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from services.reporting.ingest import kept_sql

CELLS = "score_cells"
MATCHED = "matched_scores"
TABLES = {
    CELLS: ("round_id text, school_id text, grade int, subject text",
            "pupils bigint NOT NULL, total bigint NOT NULL, squares bigint NOT NULL,"
            " above bigint NOT NULL"),
    MATCHED: ("endline_round_id text, school_id text, grade int, subject text",
              "pupils bigint NOT NULL, baseline bigint NOT NULL,"
              " baseline_squares bigint NOT NULL, endline bigint NOT NULL,"
              " endline_squares bigint NOT NULL, products bigint NOT NULL"),
}
# The matched pairs are found by pupil and subject within a round: without this index each
# sheet would scan the whole of the other round.
PUPIL_INDEX = "scores_by_round_pupil"


def statements(schema: str) -> list[sql.Composable]:
    """Idempotent, run at every start: the kept tables, filled from the facts the first
    time they are made (an older model gains them whole), and their triggers."""
    s = sql.Identifier(schema)
    out: list[sql.Composable] = [
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.scores (round_id, pupil_ref, subject)")
        .format(sql.Identifier(PUPIL_INDEX), s)]
    out += [kept_sql.function(schema, name, body) for name, body in kept_sql.FUNCTIONS.items()]
    out.append(_made_and_filled(schema))
    for table, event, function in kept_sql.TRIGGERS:
        out += _trigger(schema, table, event, function)
    return out


# The events whose facts the triggers keep sums of (they write `scores` or `rounds`).
WRITE_KEPT = frozenset({"ScoresRecorded", "ScoreCorrected", "AssessmentRoundOpened"})


def lock_first(cur: Any, schema: str) -> None:
    """The triggers' lock, taken before the transaction writes any score or round. Taken
    only in the triggers, after a statement's rows are written, it could close a cycle: a
    transaction holding it from an earlier statement waits on a score row that another
    transaction wrote and whose trigger waits for the lock. Taken first, the second
    writer waits before writing anything."""
    cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (kept_sql.LOCK_CLASS, schema))


def _made_and_filled(schema: str) -> sql.Composable:
    """The kept tables when missing, filled from the facts under a lock that holds back
    every writer of scores until the triggers exist (the same transaction makes them)."""
    s = sql.Identifier(schema)
    creates = [sql.SQL("CREATE TABLE {}.{} ({}, PRIMARY KEY ({}));").format(
        s, sql.Identifier(table), sql.SQL(f"{key}, {columns}"),
        sql.SQL(", ").join(sql.Identifier(c.split()[0]) for c in key.split(", ")))
        for table, (key, columns) in TABLES.items()]
    qualified = ".".join('"' + part.replace('"', '""') + '"' for part in (schema, CELLS))
    return sql.SQL("DO $kept$ BEGIN IF to_regclass({name}) IS NULL THEN"
                   " LOCK TABLE {s}.scores, {s}.rounds IN SHARE ROW EXCLUSIVE MODE;"
                   " {creates} PERFORM {s}.kept_scores_refresh(r) FROM"
                   " (SELECT DISTINCT round_id FROM {s}.scores UNION"
                   " SELECT round_id FROM {s}.rounds) AS every (r);"
                   " END IF; END $kept$").format(
        name=sql.Literal(qualified), s=s, creates=sql.SQL(" ").join(creates))


def _trigger(schema: str, table: str, event: str, function: str) -> list[sql.Composable]:
    s = sql.Identifier(schema)
    name = sql.Identifier(f"kept_{table}_{event.lower()}")
    transitions = {"INSERT": "NEW TABLE AS new_rows",
                   "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                   "DELETE": "OLD TABLE AS old_rows", "TRUNCATE": ""}[event]
    referencing = f"REFERENCING {transitions} " if transitions else ""
    return [sql.SQL("DROP TRIGGER IF EXISTS {} ON {}.{}").format(name, s, sql.Identifier(table)),
            sql.SQL("CREATE TRIGGER {} AFTER " + event + " ON {}.{} " + referencing
                    + "FOR EACH STATEMENT EXECUTE FUNCTION {}.{}()").format(
                name, s, sql.Identifier(table), s, sql.Identifier(function))]
