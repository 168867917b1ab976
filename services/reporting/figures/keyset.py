"""The lines of the big figures, read a page at a time from an index (behind.page).

The catalogue's `events` SQL of a figure that counts a unit once (a teacher trained, a pupil
assessed) picks each unit's first event with DISTINCT ON and dates it with a window over
all the unit's facts: every page computed and sorted every unit, so a page cost what the
figure costs (1.9 s at a million events). Here the same lines are asked the other way round:
the facts are read in the pages' order, from the cursor on, off an index (ingest/indexes.py),
and a fact is a line when it is its unit's first (a correlated look-up of the unit's facts,
on an index by unit). So a page reads its own lines and the facts between them, in a
window from the cursor (paging.indexed_page), never past the figure's last line.

Why so, of the ways weighed: a table of each unit's first event, kept by the projections,
would make a page a plain index range, but costs every event a second write and a second
copy of the first-fact rule (and the projections are not this module's); a unit's first
fact asked per fact read costs a page a few index look-ups per fact, with nothing kept.
DISTINCT ON and the window cannot stop early, so they go: a unit's first fact is the one
no other of its facts precedes (in the catalogue's order, then by the rest of its key,
where DISTINCT ON would pick either of two tied facts: the same line, one score sheet's
subjects of a pupil), and `day` (its unit's earliest date) is asked for the line only
(a page does not show it: the database does not even compute it).

Same lines as the catalogue's SQL, live and as of any moment
(tests/reporting/test_figure_pages_by_index.py pages both). As of a moment the past's
views (ingest/past.py) show a step (an enrolment's ending) through a CASE and a changing
fact (a score) as a UNION no index orders, so the live tables are read here with the
views' own tests: ended by the moment; the live row if recorded by then, else its newest
superseded version by then, each read apart from its own index.
"""

from __future__ import annotations

from services.reporting.figures import catalogue, keyset_teachers
from services.reporting.figures.paging import RANGE
from services.reporting.ingest import past, tables


def _per_unit(unit: str, subquery: str) -> str:
    """`subquery` over the unit's facts (`{same}` where it compares the unit): a NULL
    unit is one unit, as DISTINCT ON and PARTITION BY take it, each form on an index."""
    return (f"CASE WHEN e.{unit} IS NULL THEN ({subquery.format(same=f'o.{unit} IS NULL')})"
            f" ELSE ({subquery.format(same=f'o.{unit} = e.{unit}')}) END")


def _trained(role: str, unit: str, as_of: bool) -> str:
    """catalogue._trained's lines: each unit's completion first recorded (the least
    `ended_nid`), dated by its earliest completion."""
    ended = (lambda t: f" AND {t}.ended_at <= {past.MOMENT}") if as_of else (lambda t: "")
    completed = (f"{{t}}.programme_id = %(p)s AND {{t}}.role = '{role}'"
                 " AND {t}.status = 'completed'")
    facts = (f" FROM {{{{s}}}}.enrolments o WHERE {completed.format(t='o')}{ended('o')}"
             " AND {same}")
    key = "management_team_id" if unit == "team_id" else unit
    first = _per_unit(unit, "SELECT o.enrolment_id" + facts
                      + " ORDER BY o.ended_nid, o.enrolment_id LIMIT 1")
    return (f"SELECT e.ended_src AS src, e.ended_nid AS nid, 1 AS value,"
            f" jsonb_build_object('{key}', e.{unit}, 'enrolment_id', e.enrolment_id::text)"
            f" AS fields, {_per_unit(unit, 'SELECT min(o.ended_on)' + facts)} AS day"
            f" FROM {{s}}.enrolments e WHERE {completed.format(t='e')}{ended('e')}"
            f" AND {RANGE.format(src='e.ended_src', nid='e.ended_nid')}"
            f" AND e.enrolment_id = {first}")


SCORE = "round_id, school_id, grade, pupil_ref, subject, by_src, by_nid"
SCORE_KEY = ("round_id", "school_id", "grade", "pupil_ref", "subject")


def _scores(as_of: bool) -> list[tuple[str, str]]:
    """Where the score rows are, live or as of the moment, each a table (as `sc`) and a
    test of its rows: as of a moment, the live row if recorded by then, else its newest
    superseded version recorded by then. Each read apart, from its own index in (src,
    nid) order: a UNION of the two would be read whole and sorted."""
    if not as_of:
        return [("{s}.scores sc", "true")]
    return [("{live}.scores sc", f"sc.recorded_at <= {past.MOMENT}"),
            ("{live}.scores_superseded sc",
             keyset_teachers.newest_by_then("scores", SCORE_KEY, "sc"))]


def _in_programme(x: str) -> str:
    """A score of the programme's rounds, a comparison school's excepted (the catalogue's
    IN_PROGRAMME), asked per row: the scan stays in the index's order."""
    return (f"(SELECT r.programme_id FROM {{s}}.rounds r WHERE r.round_id = {x}.round_id)"
            f" = %(p)s" + catalogue.IN_PROGRAMME.replace("sc.", f"{x}."))


def _assessed(as_of: bool) -> list[str]:
    """catalogue's pupils_assessed lines: each pupil's score first recorded, dated by the
    earliest opening of the rounds the pupil is scored in."""
    columns = ", ".join(f"sc.{c}" for c in SCORE.split(", "))
    # The line's pupil's scores in the programme's rounds, a look-up per round (a handful)
    # in each part; `sc` within a part is its own, outside (in `pupil`) the line's.
    every = " UNION ALL ".join(
        f"SELECT {columns}, ro.opened_on FROM {{s}}.rounds ro JOIN {table}"
        f" ON sc.round_id = ro.round_id WHERE ro.programme_id = %(p)s AND {test}"
        for table, test in _scores(as_of))
    pupil = (f" FROM ({every}) o WHERE o.pupil_ref = sc.pupil_ref"
             + catalogue.IN_PROGRAMME.replace("sc.", "o."))
    first = ", ".join(f"o.{c}" for c in ("by_nid", *SCORE_KEY))
    return [
        "SELECT sc.by_src AS src, sc.by_nid AS nid, 1 AS value, jsonb_build_object("
        "'pupil_ref', sc.pupil_ref, 'school_id', sc.school_id, 'grade', sc.grade) AS fields,"
        f" (SELECT min(o.opened_on){pupil}) AS day FROM {table} WHERE {test}"
        f" AND {_in_programme('sc')} AND {RANGE.format(src='sc.by_src', nid='sc.by_nid')}"
        f" AND ({first.replace('o.', 'sc.')}) = (SELECT {first}{pupil} ORDER BY {first} LIMIT 1)"
        for table, test in _scores(as_of)]


Parts = list[tuple[str, str | None]]  # each part's SQL, and the part of a percentage


def lines(figure: str, schema: str) -> tuple[Parts, str, str] | None:
    """The SQL of `figure`'s lines from the cursor's fact on, each part apart (read in
    order, the parts' pages merged) with the part of a percentage its lines count in, and
    the schema to run it on (`{s}`) and the live one it reads (`{live}`), for a figure
    read this way; None for the others, whose lines are few enough to sort (behind.page
    sorts them)."""
    live, as_of = _live_of(schema)
    if figure in TRAINED:
        return [(_trained(*TRAINED[figure], as_of=as_of), None)], live, live
    if figure == "pupils_assessed":
        return [(part, None) for part in _assessed(as_of)], schema, live
    teachers = keyset_teachers.parts(figure, as_of)
    return (teachers, live, live) if teachers else None


TRAINED = {"teachers_trained": ("teacher", "participant_id"),
           "managers_trained": ("manager", "participant_id"),
           "management_teams_trained": ("manager", "team_id")}


def _live_of(schema: str) -> tuple[str, bool]:
    """The live schema `schema` reads, and whether it reads it as of a moment (the past's
    views, ingest/past.py, are named after the live schema they read)."""
    for live in (schema.removesuffix("_past"),):
        if live != schema and tables.past_schema(live) == schema:
            return live, True
    return schema, False
