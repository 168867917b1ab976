"""The functions and triggers that keep the outcomes' sums (kept.py) in PL/pgSQL.

A statement on `scores` changes the kept sums by its transition tables, as a signed delta
D = new rows N (+1) - old rows O (-1). A cell's sums are linear in its scores, so they move
by D's own sums. The matched sums are bilinear: over pairs (b, e) of a baseline and an
endline score of one pupil and subject. The trigger sees the rows after the statement: U,
those it left alone, and W, those it wrote. The pairs after minus the pairs before are
(U + W)² - (U + O)² = D × U + U × D + W × W - O × O (× over baseline and endline rows).
An upsert fires two triggers, UPDATE then INSERT, each with its own N and O but seeing all
of W, so each adds its D with U both ways, its N (as baseline) with W, and takes its O
with O; summed over the two, that is exactly the difference. A trigger tells W from U by
the (xmin, cmin) its own new rows carry. Exact for any statement: a sheet, its
correction, both rounds of a pupil in one batch.

A round decides which scores pair (its baseline) and the threshold its cells count
against; it may come after its scores, so a round that arrives or changes recounts its
own cells and pairs from the scores (`kept_scores_refresh`). Whoever changes kept sums
first takes one lock per schema, held to commit, and only then reads `scores` and `rounds`
(each statement of a function sees what committed before it), so a writer of scores and a
writer of rounds at the same time never miss each other's rows.
"""

from __future__ import annotations

from psycopg2 import sql

LOCK_CLASS = 35  # the advisory lock's first key; the second is the schema's hash
LOCK = f"PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(TG_TABLE_SCHEMA));"
THRESHOLD = "({r}.subjects -> {x}.subject ->> 'threshold')::int"

CELL_SUMS = """INSERT INTO {s}.score_cells AS c
  (round_id, school_id, grade, subject, pupils, total, squares, above)
SELECT d.round_id, d.school_id, d.grade, d.subject, sum(d.sign),
       coalesce(sum(d.sign * d.score), 0), coalesce(sum(d.sign * d.score::bigint * d.score), 0),
       coalesce(sum(d.sign) FILTER (WHERE d.score >= """ + THRESHOLD.format(r="r", x="d") + """), 0)
  FROM d LEFT JOIN {s}.rounds r ON r.round_id = d.round_id
 GROUP BY 1, 2, 3, 4
    ON CONFLICT (round_id, school_id, grade, subject) DO UPDATE SET
       pupils = c.pupils + EXCLUDED.pupils, total = c.total + EXCLUDED.total,
       squares = c.squares + EXCLUDED.squares, above = c.above + EXCLUDED.above;"""

# Sums over pairs (endline, school, grade, subject, sign, b, e), grouped per kept row.
PAIR_SUMS = """SELECT endline, school_id, grade, subject, sum(sign),
       coalesce(sum(sign * b), 0), coalesce(sum(sign * b::bigint * b), 0),
       coalesce(sum(sign * e), 0), coalesce(sum(sign * e::bigint * e), 0),
       coalesce(sum(sign * b::bigint * e), 0)
  FROM pairs GROUP BY 1, 2, 3, 4"""
MATCHED_COLUMNS = ("(endline_round_id, school_id, grade, subject, pupils, baseline,"
                   " baseline_squares, endline, endline_squares, products)")

# Whether a row was written by this statement (W): it carries the statement's (xmin, cmin),
# read from one of the trigger's own new rows into wx, wc (NULL for a DELETE: W is empty).
WRITTEN = "{same}coalesce(e.xmin = wx AND e.cmin = wc, false)"
BASELINE_SIDE = """  SELECT re.round_id AS endline, d.school_id, d.grade, d.subject, {sign} AS sign,
         d.score AS b, e.score AS e
    FROM {rows} JOIN {s}.rounds re ON re.baseline_round_id = d.round_id
                                 AND re.phase = 'endline'
    JOIN {s}.scores e ON e.round_id = re.round_id AND e.pupil_ref = d.pupil_ref
                     AND e.subject = d.subject
   WHERE """
ENDLINE_SIDE = """  SELECT d.round_id, e.school_id, e.grade, e.subject, d.sign, e.score, d.score
    FROM d JOIN {s}.rounds rd ON rd.round_id = d.round_id AND rd.phase = 'endline'
    JOIN {s}.scores e ON e.round_id = rd.baseline_round_id AND e.pupil_ref = d.pupil_ref
                     AND e.subject = d.subject
   WHERE """
OLD_PAIRS = """  SELECT re.round_id, o.school_id, o.grade, o.subject, -1, o.score, x.score
    FROM old_rows o JOIN {s}.rounds re ON re.baseline_round_id = o.round_id
                                     AND re.phase = 'endline'
    JOIN old_rows x ON x.round_id = re.round_id AND x.pupil_ref = o.pupil_ref
                   AND x.subject = o.subject"""


def _pairs(event: str) -> str:
    """The pairs a statement's trigger adds (sign +1) and takes (-1): its delta D with the
    rows the statement left as they were (U), both ways; its new baseline rows with every
    endline row the statement wrote (W, its own and a sibling trigger's: an upsert fires
    an UPDATE and an INSERT trigger, each seeing both parts); its old rows with each other,
    taken. Over a statement's triggers that is (U + W) × (U + W) - (U + O) × (U + O)."""
    untouched = WRITTEN.format(same="NOT ")
    parts = [BASELINE_SIDE.format(sign="d.sign", rows="d", s="{s}") + untouched,
             ENDLINE_SIDE + untouched]
    if event != "DELETE":
        parts.append(BASELINE_SIDE.format(sign="1", rows="new_rows d", s="{s}")
                     + WRITTEN.format(same=""))
    if event != "INSERT":
        parts.append(OLD_PAIRS)
    return ", pairs AS (\n" + "\n  UNION ALL\n".join(parts) + ")\n"


MATCHED_UPSERT = "INSERT INTO {s}.matched_scores AS m " + MATCHED_COLUMNS + "\n" + PAIR_SUMS + """
    ON CONFLICT (endline_round_id, school_id, grade, subject) DO UPDATE SET
       pupils = m.pupils + EXCLUDED.pupils, baseline = m.baseline + EXCLUDED.baseline,
       baseline_squares = m.baseline_squares + EXCLUDED.baseline_squares,
       endline = m.endline + EXCLUDED.endline,
       endline_squares = m.endline_squares + EXCLUDED.endline_squares,
       products = m.products + EXCLUDED.products;"""
# Which (xmin, cmin) this statement's rows carry: that of one of its new rows.
STATEMENT = """SELECT t.xmin, t.cmin INTO wx, wc FROM new_rows n JOIN {s}.scores t
    ON t.round_id = n.round_id AND t.school_id = n.school_id AND t.grade = n.grade
   AND t.pupil_ref = n.pupil_ref AND t.subject = n.subject LIMIT 1;"""

COLUMNS = "round_id, school_id, grade, pupil_ref, subject, score"
DELTAS = {
    "INSERT": f"SELECT {COLUMNS}, 1 AS sign FROM new_rows",
    "UPDATE": f"SELECT {COLUMNS}, 1 AS sign FROM new_rows"
              f" UNION ALL SELECT {COLUMNS}, -1 FROM old_rows",
    "DELETE": f"SELECT {COLUMNS}, -1 AS sign FROM old_rows",
}


def _scores_changed(event: str) -> str:
    first = "old_rows" if event == "DELETE" else "new_rows"
    delta = "WITH d AS (" + DELTAS[event] + ")\n"
    written = "" if event == "DELETE" else STATEMENT
    return (f"DECLARE wx xid; wc cid; BEGIN\n"
            f"IF NOT EXISTS (SELECT 1 FROM {first}) THEN RETURN NULL; END IF;\n"
            f"{LOCK}\n{written}\n{delta}{CELL_SUMS}\n"
            f"{delta}{_pairs(event)}{MATCHED_UPSERT}\nRETURN NULL; END")


REFRESH = """BEGIN
DELETE FROM {s}.score_cells WHERE round_id = refreshed;
INSERT INTO {s}.score_cells
SELECT sc.round_id, sc.school_id, sc.grade, sc.subject, count(*), coalesce(sum(sc.score), 0),
       coalesce(sum(sc.score::bigint * sc.score), 0),
       count(*) FILTER (WHERE sc.score >= """ + THRESHOLD.format(r="rd", x="sc") + """)
  FROM {s}.scores sc LEFT JOIN {s}.rounds rd ON rd.round_id = sc.round_id
 WHERE sc.round_id = refreshed GROUP BY 1, 2, 3, 4;
DELETE FROM {s}.matched_scores WHERE endline_round_id = refreshed;
WITH pairs AS (
  SELECT re.round_id AS endline, b.school_id, b.grade, b.subject, 1 AS sign,
         b.score AS b, e.score AS e
    FROM {s}.rounds re JOIN {s}.scores b ON b.round_id = re.baseline_round_id
    JOIN {s}.scores e ON e.round_id = re.round_id AND e.pupil_ref = b.pupil_ref
                     AND e.subject = b.subject
   WHERE re.round_id = refreshed AND re.phase = 'endline')
INSERT INTO {s}.matched_scores """ + MATCHED_COLUMNS + "\n" + PAIR_SUMS + """;
END"""

# Rounds whose pairing or thresholds a statement changed (a repeat only moves its event).
ROUNDS_CHANGED = {
    "INSERT": "SELECT round_id FROM new_rows",
    "DELETE": "SELECT round_id FROM old_rows",
    "UPDATE": "SELECT n.round_id FROM new_rows n LEFT JOIN old_rows o USING (round_id)"
              " WHERE o.round_id IS NULL OR (n.phase, n.baseline_round_id, n.subjects)"
              " IS DISTINCT FROM (o.phase, o.baseline_round_id, o.subjects)"
              " UNION SELECT o.round_id FROM old_rows o LEFT JOIN new_rows n USING (round_id)"
              " WHERE n.round_id IS NULL",
}


def _rounds_changed(event: str) -> str:
    changed = ROUNDS_CHANGED[event]
    return (f"BEGIN IF NOT EXISTS ({changed}) THEN RETURN NULL; END IF;\n{LOCK}\n"
            f"PERFORM {{s}}.kept_scores_refresh(r) FROM (SELECT DISTINCT round_id FROM"
            f" ({changed}) AS c ORDER BY 1) AS changed (r);\nRETURN NULL; END")


TRUNCATED_SCORES = "BEGIN TRUNCATE {s}.score_cells, {s}.matched_scores; RETURN NULL; END"
TRUNCATED_ROUNDS = ("BEGIN " + LOCK + " PERFORM {s}.kept_scores_refresh(r) FROM"
                    " (SELECT DISTINCT round_id FROM {s}.score_cells UNION"
                    " SELECT endline_round_id FROM {s}.matched_scores) AS every (r);"
                    " RETURN NULL; END")

# name: (arguments, result, body with {s} for the schema)
FUNCTIONS: dict[str, tuple[str, str, str]] = {
    "kept_scores_refresh": ("refreshed text", "void", REFRESH),
    **{f"kept_scores_{event.lower()}": ("", "trigger", _scores_changed(event))
       for event in DELTAS},
    **{f"kept_rounds_{event.lower()}": ("", "trigger", _rounds_changed(event))
       for event in ROUNDS_CHANGED},
    "kept_scores_truncate": ("", "trigger", TRUNCATED_SCORES),
    "kept_rounds_truncate": ("", "trigger", TRUNCATED_ROUNDS),
}
TRIGGERS = [(table, event, f"kept_{table}_{event.lower()}")
            for table in ("scores", "rounds")
            for event in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")]


def function(schema: str, name: str, definition: tuple[str, str, str]) -> sql.Composable:
    arguments, result, body = definition
    return sql.SQL("CREATE OR REPLACE FUNCTION {s}.{name}(" + arguments + ") RETURNS "
                   + result + " LANGUAGE plpgsql AS $kept$ " + body + " $kept$").format(
        s=sql.Identifier(schema), name=sql.Identifier(name))
