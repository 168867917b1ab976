"""Indexes on the read model's tables beyond their keys.

The events behind the big figures are paged from these (figures/keyset.py): each big
table read in the pages' order (an event's source, in the "C" order the cursor compares
by, and its id), and looked up by unit for a unit's first fact and earliest date. Only
the tables that grow with the events have them: every index is paid for by each fact
the projections write, in the rebuild and the live feed alike.
"""

from __future__ import annotations

from psycopg2 import sql

COMPLETED = "status = 'completed'"
# name: (table, columns, the rows it holds)
INDEXES: dict[str, tuple[str, str, str]] = {
    # The completions of a programme's teachers, managers: in the pages' order...
    "enrolments_completed_by_event": (
        "enrolments", "programme_id, role, ended_src COLLATE \"C\", ended_nid", COMPLETED),
    # ...and each person's, team's, first and earliest.
    "enrolments_by_participant": ("enrolments", "programme_id, role, participant_id", ""),
    "enrolments_completed_by_team": (
        "enrolments", "programme_id, role, team_id, ended_nid", COMPLETED),
    # A programme's teachers by their first enrolment, its own event or else its ending's,
    # and their categories, in the pages' order (keyset_teachers.py).
    "enrolments_by_first_event": (
        "enrolments", "programme_id, role, (coalesce(enrolled_src, ended_src)) COLLATE \"C\","
        " (coalesce(enrolled_nid, ended_nid))", ""),
    "categories_by_event": ("categories", "by_src COLLATE \"C\", by_nid", ""),
    "categories_superseded_by_event": ("categories_superseded", "by_src COLLATE \"C\", by_nid",
                                       ""),
    # Scores in the pages' order (a round's programme is a join away), and by pupil.
    "scores_by_event": ("scores", "by_src COLLATE \"C\", by_nid", ""),
    # A pupil's, a round at a time. The very index ingest/kept.py declares, by name and
    # columns, so that the model holds it once (IF NOT EXISTS) whichever declares it: an
    # index on scores costs each score row written (a third more, for this one).
    "scores_by_round_pupil": ("scores", "round_id, pupil_ref, subject", ""),
    # The same of the scores' earlier versions, read as of a moment (keyset._scores).
    "scores_superseded_by_event": ("scores_superseded", "by_src COLLATE \"C\", by_nid", ""),
    "scores_superseded_by_pupil": ("scores_superseded", "pupil_ref, by_nid", ""),
}


def statements(schema: str) -> list[sql.Composable]:
    """`CREATE INDEX IF NOT EXISTS` for each of INDEXES in `schema` (tables.create)."""
    return [sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} ({}){}").format(
        sql.Identifier(name), sql.Identifier(schema), sql.Identifier(table), sql.SQL(columns),
        sql.SQL(f" WHERE {rows}" if rows else "")) for name, (table, columns, rows)
        in INDEXES.items()]
