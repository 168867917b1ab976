"""What the outcomes' kept sums (ingest/kept.py) cost the writes and save the report.

Two scratch read models in a new database get the same score sheets through the real
projections (`projections.handle_batch`, batches as the feed makes them): one as made today,
with the kept sums' triggers and their index; one without them (dropped), as before. Prints
the score rows per second into each, and the learning outcomes' time on the same data from
the scores (the SQL of before) and from the kept sums.

    .venv/bin/python -m bench.kept_outcomes            # about 1 million score rows
    KEPT_ROWS=200000 .venv/bin/python -m bench.kept_outcomes
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg2
from psycopg2 import sql

from services.reporting.figures import outcomes
from services.reporting.ingest import kept, kept_sql, projections, tables
from shared.contracts.envelope import Envelope, source_of

DSN = dict(host="127.0.0.1", port=5433, user="postgres", password="postgres")
P, SUBJECTS, GRADES = "national", ("math", "read", "science"), (5, 6, 7, 8, 9)
PUPILS_PER_SHEET, SHEETS_PER_BATCH = 30, 40  # 90 rows a sheet, 3,600 a batch
START = datetime(2024, 9, 1, tzinfo=UTC)


def envelope(nid: int, event_type: str, subject: str, data: dict) -> Envelope:
    return Envelope(source=source_of("assessment"), type=event_type,
                    time=START + timedelta(seconds=nid), subject=subject, schemaversion=1,
                    notificationid=nid, subjectversion=1, data=data)


def world(rows: int) -> tuple[list[Envelope], list[Envelope]]:
    """(setup events: the rounds and the schools joining; the score sheets, baseline first)."""
    schools = max(2, rows // (2 * len(GRADES) * PUPILS_PER_SHEET * len(SUBJECTS)))
    rng, nid = random.Random(35), 0
    setup = []
    for round_id, phase, baseline in (("base", "baseline", None), ("end", "endline", "base")):
        nid += 1
        setup.append(envelope(nid, "AssessmentRoundOpened", round_id, {
            "round_id": round_id, "programme_id": P, "phase": phase,
            "baseline_round_id": baseline, "school_year": "2024-2025", "opened_on": "2024-09-01",
            "comparison_school_ids": [f"S{i}" for i in range(0, schools, 20)],
            "subjects": {s: {"max_score": 40, "threshold": 20} for s in SUBJECTS}}))
    for i in range(schools):
        setup.append(Envelope(source=source_of("registry"), type="OrganisationJoinedProgramme",
                              time=START, subject=f"S{i}", schemaversion=1, notificationid=i + 1,
                              subjectversion=1, data={
                                  "programme_id": P, "organisation_id": f"S{i}",
                                  "model": ("streaming", "online_teaching")[i % 2],
                                  "kind": "school", "district_code": f"15{i % 9:02d}",
                                  "joined_on": "2024-09-01"}))
    sheets = []
    for round_id, gain in (("base", 0), ("end", 3)):
        for i in range(schools):
            for grade in GRADES:
                nid += 1
                sheets.append(envelope(nid, "ScoresRecorded", f"{round_id}/S{i}/{grade}", {
                    "round_id": round_id, "school_id": f"S{i}", "grade": grade, "scores": [
                        {"pupil_ref": f"S{i}-{grade}-{p}", "subject": s,
                         "score": min(40, max(0, int(rng.gauss(18 + gain + i % 5, 6))))}
                        for p in range(PUPILS_PER_SHEET) for s in SUBJECTS]}))
    return setup, sheets


def fill(conn, schemas: list[str], setup: list[Envelope],
         sheets: list[Envelope]) -> list[float]:
    """Score rows per second through the projections into each schema, batch by batch in
    turn, so that both meet the same cache and the same neighbours on the machine."""
    spent = [0.0] * len(schemas)
    for schema in schemas:
        projections.handle_batch(conn, setup, schema)
    for i in range(0, len(sheets), SHEETS_PER_BATCH):
        for j, schema in enumerate(schemas):
            began = time.perf_counter()
            projections.handle_batch(conn, sheets[i:i + SHEETS_PER_BATCH], schema)
            spent[j] += time.perf_counter() - began
    rows = sum(len(e.data["scores"]) for e in sheets)
    return [rows / seconds for seconds in spent]


def without_kept(conn, schema: str) -> None:
    s = sql.Identifier(schema)
    with conn, conn.cursor() as cur:
        for table, event, _ in kept_sql.TRIGGERS:
            cur.execute(sql.SQL("DROP TRIGGER {} ON {}.{}").format(
                sql.Identifier(f"kept_{table}_{event.lower()}"), s, sql.Identifier(table)))
        cur.execute(sql.SQL("DROP INDEX {}.{}").format(s, sql.Identifier(kept.PUPIL_INDEX)))


def outcome_ms(conn, schema: str, from_kept: bool, runs: int = 5) -> tuple[float, list]:
    """The median over `runs` of the outcomes' time, and the outcomes."""
    times, answer = [], []
    for _ in range(runs):
        with conn, conn.cursor() as cur:
            began = time.perf_counter()
            answer = outcomes.learning_outcomes(cur, P, schema, kept=from_kept)
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), answer


def main() -> None:
    rows = int(os.environ.get("KEPT_ROWS", "1000000"))
    name = f"kept_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(**DSN, dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    conn = psycopg2.connect(**DSN, dbname=name)
    try:
        setup, sheets = world(rows)
        with conn, conn.cursor() as cur:
            tables.create(cur, "with_kept")
            tables.create(cur, "before")
        without_kept(conn, "before")
        plain, with_triggers = fill(conn, ["before", "with_kept"], setup, sheets)
        conn.autocommit = True
        conn.cursor().execute("ANALYZE")
        conn.autocommit = False
        old_ms, old = outcome_ms(conn, "before", from_kept=False)
        new_ms, new = outcome_ms(conn, "with_kept", from_kept=True)
        assert old == new, "the kept sums must give the outcomes of the scores"
        print(f"score rows: {sum(len(e.data['scores']) for e in sheets):,}"
              f" in {len(sheets):,} sheets, {len(old)} outcome cells")
        print(f"rows/s through the projections: without kept sums {plain:,.0f},"
              f" with them {with_triggers:,.0f} ({with_triggers / plain:.2f} x)")
        print(f"outcomes with intervals, median of 5: from the scores {old_ms:,.0f} ms,"
              f" from the kept sums {new_ms:,.1f} ms")
    finally:
        conn.close()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
