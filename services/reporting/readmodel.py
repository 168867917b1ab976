"""The funders' read model in PostgreSQL: facts from every service's public events, kept so
that any arrival order and any number of redeliveries give the same tables.

- Each event is applied in one transaction with its (source, notification id) record, so a
  redelivered event is a no-op.
- State that changes is guarded by the aggregate's version (`subjectversion`): an older event
  arriving late never overwrites a newer one. Facts that only ever grow (a cabinet delivered,
  a trainer certified) are inserts that ignore repeats.
- Every event carries the keys it needs (the services' contracts are designed so), so a
  completion arriving before its enrolment still lands in the right row.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import psycopg2.extensions
import psycopg2.extras

from shared.contracts.envelope import Envelope

SCHEMA = "rm"
Cursor = psycopg2.extensions.cursor

DDL = """
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.processed (
  source text NOT NULL, notification_id bigint NOT NULL, event_type text NOT NULL,
  PRIMARY KEY (source, notification_id));
CREATE TABLE IF NOT EXISTS {s}.watermarks (source text PRIMARY KEY, after bigint NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.changes (
  id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
INSERT INTO {s}.changes VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS {s}.programmes (
  programme_id text PRIMARY KEY, name_kk text, name_ru text, name_en text,
  regions text[], start_date date, end_date date, budget_kzt bigint);
CREATE TABLE IF NOT EXISTS {s}.funders (
  funder_id text PRIMARY KEY, name_kk text, name_ru text, name_en text,
  organisation_type text);
CREATE TABLE IF NOT EXISTS {s}.funder_roles (
  programme_id text, funder_id text, role text, PRIMARY KEY (programme_id, funder_id, role));
CREATE TABLE IF NOT EXISTS {s}.targets (
  programme_id text, indicator text, measure text, baseline numeric, target numeric,
  period_end date, version int NOT NULL, PRIMARY KEY (programme_id, indicator));
CREATE TABLE IF NOT EXISTS {s}.commitments (
  commitment_id text PRIMARY KEY, programme_id text NOT NULL, funder_id text NOT NULL,
  scope text NOT NULL, amount_kzt bigint NOT NULL, committed_on date);
CREATE TABLE IF NOT EXISTS {s}.organisations (
  organisation_id text PRIMARY KEY, kind text, region_code text, district_code text,
  name_ru text, school_year text, small_class boolean, pupils int, teachers int);
CREATE TABLE IF NOT EXISTS {s}.participants (
  programme_id text, organisation_id text, model text, kind text, district_code text,
  PRIMARY KEY (programme_id, organisation_id));
CREATE TABLE IF NOT EXISTS {s}.enrolments (
  enrolment_id uuid PRIMARY KEY, programme_id text, role text, participant_id text,
  school_id text, team_id text, status text, status_version int NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.trainers (
  programme_id text, person_id text, PRIMARY KEY (programme_id, person_id));
CREATE TABLE IF NOT EXISTS {s}.categories (
  teacher_id text PRIMARY KEY, programme_id text, category text, version int NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.practices (
  practice_id uuid PRIMARY KEY, programme_id text, school_id text);
CREATE TABLE IF NOT EXISTS {s}.adoptions (
  practice_id uuid, school_id text, programme_id text, PRIMARY KEY (practice_id, school_id));
CREATE TABLE IF NOT EXISTS {s}.cabinets (
  cabinet_id uuid PRIMARY KEY, programme_id text, organisation_id text, kind text,
  district_code text, allocated boolean, allocation_version int NOT NULL DEFAULT 0,
  cost_kzt bigint, commitment_id text, funder_id text,
  delivered boolean NOT NULL DEFAULT false, commissioned boolean NOT NULL DEFAULT false,
  internet_mbps numeric);
ALTER TABLE {s}.cabinets ADD COLUMN IF NOT EXISTS procured_on date;
CREATE TABLE IF NOT EXISTS {s}.rounds (
  round_id text PRIMARY KEY, programme_id text, phase text, baseline_round_id text,
  school_year text, subjects jsonb);
CREATE TABLE IF NOT EXISTS {s}.expenditures (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  category text NOT NULL, amount_kzt bigint NOT NULL, spent_on date,
  PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.disbursements (
  commitment_id text, reference text, programme_id text NOT NULL, funder_id text NOT NULL,
  amount_kzt bigint NOT NULL, disbursed_on date, PRIMARY KEY (commitment_id, reference));
CREATE TABLE IF NOT EXISTS {s}.profiles (
  organisation_id text, school_year text, small_class boolean, pupils int,
  version int NOT NULL, PRIMARY KEY (organisation_id, school_year));
CREATE TABLE IF NOT EXISTS {s}.scores (
  round_id text, pupil_ref text, subject text, school_id text, grade int, score int,
  version int NOT NULL, PRIMARY KEY (round_id, school_id, grade, pupil_ref, subject));
DO $$ BEGIN
  -- A score is keyed by the sheet that holds it (round, school, grade; its version is that
  -- sheet's) and the pupil: one pupil recorded by two schools counts at each, as stored.
  -- A model made with the older key (round, pupil, subject) is re-keyed; rebuild() then
  -- brings back the scores that key had dropped.
  IF (SELECT count(*) FROM information_schema.key_column_usage
       WHERE table_schema = '{s}' AND table_name = 'scores'
         AND constraint_name = 'scores_pkey') = 3 THEN
    ALTER TABLE {s}.scores DROP CONSTRAINT scores_pkey,
      ADD PRIMARY KEY (round_id, school_id, grade, pupil_ref, subject);
  END IF;
END $$;
"""


def create(cur: Cursor, schema: str = SCHEMA) -> None:
    cur.execute(DDL.format(s=schema))


# Which schema holds the live read model. A rebuild fills a new schema beside it and switches
# this pointer in one transaction; readers and writers look it up per transaction.
POINTER = "reporting_read_model"


# What the tables mean. A model built by an older version may lack facts a newer one keeps
# (version 2: each school year's profile, scores keyed by their sheet), so it is rebuilt from
# the logs; a fresh database starts at this version.
MODEL_VERSION = 2


def ensure_current(cur: Cursor) -> str:
    cur.execute(f"CREATE TABLE IF NOT EXISTS {POINTER} (id int PRIMARY KEY CHECK (id = 1),"
                " schema_name text NOT NULL)")
    cur.execute(f"ALTER TABLE {POINTER} ADD COLUMN IF NOT EXISTS model_version int NOT NULL"
                " DEFAULT 1")
    cur.execute(f"INSERT INTO {POINTER} (id, schema_name, model_version) VALUES (1, %s, %s)"
                " ON CONFLICT DO NOTHING", (SCHEMA, MODEL_VERSION))
    schema = current(cur)
    create(cur, schema)
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


def handle(conn: psycopg2.extensions.connection, envelope: Envelope,
           schema: str | None = None) -> bool:
    """Apply one event exactly once. False if it was already applied (nothing changes).
    Without `schema`, into the live read model (holding the pointer until commit)."""
    return bool(handle_batch(conn, [envelope], schema))


def handle_batch(conn: psycopg2.extensions.connection, envelopes: list[Envelope],
                 schema: str | None = None,
                 watermark: tuple[str, int] | None = None) -> list[Envelope]:
    """Apply a batch of events in one transaction, each exactly once; returns those that
    were new. One commit per batch instead of per event is what lets the read model keep up
    with a bulk import or a rebuild (the commit's WAL flush was the cost, not the SQL).
    The projections are order-safe, so a batch may hold events in any order, repeats too.
    With `watermark` (source, position), a catch-up's log position commits with its page."""
    with conn, conn.cursor() as cur:
        schema = schema or current(cur, lock=True)
        fresh = _first_time_seen(cur, schema, envelopes)
        _apply(cur, schema, fresh)
        if fresh:  # last, and in the same transaction: caches key on this (see cache.py)
            cur.execute(f"UPDATE {schema}.changes SET version = version + 1 WHERE id = 1")
        if watermark is not None:  # how far a source's log has been read, with what it gave
            cur.execute(f"INSERT INTO {schema}.watermarks VALUES (%s, %s) "
                        "ON CONFLICT (source) DO UPDATE SET after = EXCLUDED.after", watermark)
    return fresh


def _apply(cur: Cursor, schema: str, envelopes: list[Envelope]) -> None:
    """The high-volume types go in one statement per type (SET_PROJECTIONS); the others one
    by one. Grouping reorders the batch, which the projections allow (order-safe)."""
    by_type: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        by_type.setdefault(envelope.type, []).append(envelope)
    for event_type, group in by_type.items():
        if event_type in SET_PROJECTIONS:
            SET_PROJECTIONS[event_type](cur, schema, group)
        elif (apply := PROJECTIONS.get(event_type)) is not None:
            for envelope in group:
                apply(cur, schema, envelope.data, envelope.subjectversion)


def _first_time_seen(cur: Cursor, schema: str, envelopes: list[Envelope]) -> list[Envelope]:
    """Record the batch's events as processed; the ones not recorded before, in batch order."""
    unique: dict[tuple[str, int], Envelope] = {}
    for envelope in envelopes:
        unique.setdefault((envelope.service, envelope.notificationid), envelope)
    if not unique:
        return []
    inserted = psycopg2.extras.execute_values(
        cur, f"INSERT INTO {schema}.processed VALUES %s ON CONFLICT DO NOTHING"
        " RETURNING source, notification_id",
        [(e.service, e.notificationid, e.type) for e in unique.values()],
        page_size=len(unique), fetch=True)
    new = {(source, notification_id) for source, notification_id in inserted}
    return [e for key, e in unique.items() if key in new]


# ------------------------------------------------------------------ registry
def _programme(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.programmes VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT DO NOTHING",
                (d["programme_id"], d["name_kk"], d["name_ru"], d["name_en"], d["regions"],
                 d["start"], d["end"], d["budget_kzt"]))


def _funder(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.funders VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["funder_id"], d["name_kk"], d["name_ru"], d["name_en"],
                 d["organisation_type"]))


def _role(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.funder_roles VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["programme_id"], d["funder_id"], d["role"]))


def _target(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    last = d["periods"][-1]
    cur.execute(f"INSERT INTO {s}.targets VALUES (%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (programme_id, indicator) DO UPDATE SET measure = EXCLUDED.measure,"
                " baseline = EXCLUDED.baseline, target = EXCLUDED.target,"
                " period_end = EXCLUDED.period_end, version = EXCLUDED.version"
                f" WHERE {s}.targets.version < EXCLUDED.version",
                (d["programme_id"], d["indicator"], d["measure"], d["baseline"]["value"],
                 last["target"], last["end"], v))


def _expenditure(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.expenditures VALUES (%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (d["commitment_id"], d["reference"], d["programme_id"], d["funder_id"],
                 d["category"], d["amount_kzt"], d["spent_on"]))


def _disbursement(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.disbursements VALUES (%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (d["commitment_id"], d["reference"], d["programme_id"], d["funder_id"],
                 d["amount_kzt"], d["disbursed_on"]))


def _commitment(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.commitments VALUES (%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT DO NOTHING",
                (d["commitment_id"], d["programme_id"], d["funder_id"], d["scope"],
                 d["amount_kzt"], d["committed_on"]))


def _organisation(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    # The newest school year is the current profile, whichever event brings it first.
    cur.execute(f"INSERT INTO {s}.organisations VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (organisation_id) DO UPDATE SET"
                f" name_ru = COALESCE(EXCLUDED.name_ru, {s}.organisations.name_ru),"
                " school_year = EXCLUDED.school_year, small_class = EXCLUDED.small_class,"
                " pupils = EXCLUDED.pupils, teachers = EXCLUDED.teachers"
                f" WHERE {s}.organisations.school_year <= EXCLUDED.school_year",
                (d["organisation_id"], d["kind"], d["region_code"], d["district_code"],
                 d.get("name_ru"), d["school_year"], d["small_class"], d["pupils"],
                 d["teachers"]))
    if "name_ru" in d:  # a registration arriving after a later profile still names it
        cur.execute(f"UPDATE {s}.organisations SET name_ru = %s WHERE organisation_id = %s",
                    (d["name_ru"], d["organisation_id"]))
    # Every year's profile too: a round's small-class split uses the profile of its own
    # school year, so next year's contingent never rewrites this year's outcomes.
    cur.execute(f"INSERT INTO {s}.profiles VALUES (%s,%s,%s,%s,%s) "
                "ON CONFLICT (organisation_id, school_year) DO UPDATE SET"
                " small_class = EXCLUDED.small_class, pupils = EXCLUDED.pupils,"
                f" version = EXCLUDED.version WHERE {s}.profiles.version < EXCLUDED.version",
                (d["organisation_id"], d["school_year"], d["small_class"], d["pupils"], v))


def _joined(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.participants VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["programme_id"], d["organisation_id"], d["model"], d["kind"],
                 d["district_code"]))


# ------------------------------------------------------------------ training
def _enrolment(status: str | None) -> Callable[[Cursor, str, dict[str, Any], int], None]:
    def project(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
        cur.execute(
            f"INSERT INTO {s}.enrolments VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (enrolment_id) DO UPDATE SET status = EXCLUDED.status,"
            " status_version = EXCLUDED.status_version"
            f" WHERE {s}.enrolments.status_version < EXCLUDED.status_version",
            (d["enrolment_id"], d["programme_id"], d["role"], d["participant_id"],
             d["school_id"], d["management_team_id"], status or "enrolled",
             v if status else 0))
    return project


ENROLMENT_UPSERT = (
    "INSERT INTO {s}.enrolments VALUES %s ON CONFLICT (enrolment_id) DO UPDATE SET"
    " status = EXCLUDED.status, status_version = EXCLUDED.status_version"
    " WHERE {s}.enrolments.status_version < EXCLUDED.status_version")


def _enrolments(status: str | None) -> Callable[[Cursor, str, list[Envelope]], None]:
    """The same upsert as `_enrolment`, a batch of one type in one statement. A statement
    may not touch a row twice: of two events for one enrolment, the newer is kept."""
    def project(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
        newest: dict[str, tuple[Any, ...]] = {}
        for e in envelopes:
            d, v = e.data, e.subjectversion if status else 0
            row = (d["enrolment_id"], d["programme_id"], d["role"], d["participant_id"],
                   d["school_id"], d["management_team_id"], status or "enrolled", v)
            key = str(d["enrolment_id"])
            if key not in newest or newest[key][-1] < v:
                newest[key] = row
        psycopg2.extras.execute_values(cur, ENROLMENT_UPSERT.format(s=s),
                                       list(newest.values()), page_size=1000)
    return project


def _trainer(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.trainers VALUES (%s,%s) ON CONFLICT DO NOTHING",
                (d["programme_id"], d["person_id"]))


def _category(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.categories VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (teacher_id) DO UPDATE SET category = EXCLUDED.category,"
                " programme_id = EXCLUDED.programme_id, version = EXCLUDED.version"
                f" WHERE {s}.categories.version < EXCLUDED.version",
                (d["teacher_id"], d["programme_id"], d["category"], v))


def _practice(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.practices VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["practice_id"], d["programme_id"], d["school_id"]))


def _adoption(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.adoptions VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["practice_id"], d["school_id"], d["programme_id"]))


# ------------------------------------------------------------------ equipment
def _cabinet_row(cur: Cursor, s: str, d: dict[str, Any]) -> None:
    cur.execute(f"INSERT INTO {s}.cabinets (cabinet_id, programme_id, organisation_id, kind,"
                " district_code, allocated) VALUES (%s,%s,%s,%s,%s,NULL) ON CONFLICT DO NOTHING",
                (d["cabinet_id"], d["programme_id"], d["organisation_id"], d["kind"],
                 d["district_code"]))


def _allocation(allocated: bool) -> Callable[[Cursor, str, dict[str, Any], int], None]:
    def project(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
        _cabinet_row(cur, s, d)
        cur.execute(f"UPDATE {s}.cabinets SET allocated = %s, allocation_version = %s"
                    " WHERE cabinet_id = %s AND allocation_version < %s",
                    (allocated, v, d["cabinet_id"], v))
    return project


def _cabinet_fact(sql: str, *fields: str) -> Callable[[Cursor, str, dict[str, Any], int], None]:
    def project(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
        _cabinet_row(cur, s, d)
        # Procured, delivered and commissioned only ever become true: order does not matter.
        # A procured cabinet was allocated, whatever allocation event is still on its way.
        cur.execute(f"UPDATE {s}.cabinets SET {sql} WHERE cabinet_id = %s",
                    (*[d[f] for f in fields], d["cabinet_id"]))
    return project


# ------------------------------------------------------------------ assessment
def _round(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    cur.execute(f"INSERT INTO {s}.rounds VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["round_id"], d["programme_id"], d["phase"], d["baseline_round_id"],
                 d["school_year"], json.dumps(d["subjects"])))


SCORE_KEY = "(round_id, school_id, grade, pupil_ref, subject)"


def _scores(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    rows = [(d["round_id"], e["pupil_ref"], e["subject"], d["school_id"], d["grade"],
             e["score"], v) for e in d["scores"]]
    psycopg2.extras.execute_values(
        cur, f"INSERT INTO {s}.scores VALUES %s ON CONFLICT {SCORE_KEY}"
        " DO UPDATE SET score = EXCLUDED.score, version = EXCLUDED.version"
        f" WHERE {s}.scores.version < EXCLUDED.version", rows, page_size=1000)


def _correction(cur: Cursor, s: str, d: dict[str, Any], v: int) -> None:
    _scores(cur, s, {**d, "scores": [{"pupil_ref": d["pupil_ref"], "subject": d["subject"],
                                      "score": d["score"]}]}, v)


def _scores_together(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
    """Every ScoresRecorded of a batch in one upsert; per score, the newest version."""
    newest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for e in envelopes:
        d, v = e.data, e.subjectversion
        for entry in d["scores"]:
            key = (d["round_id"], d["school_id"], d["grade"], entry["pupil_ref"],
                   entry["subject"])
            if key not in newest or newest[key][-1] < v:
                newest[key] = (d["round_id"], entry["pupil_ref"], entry["subject"],
                               d["school_id"], d["grade"], entry["score"], v)
    psycopg2.extras.execute_values(
        cur, f"INSERT INTO {s}.scores VALUES %s ON CONFLICT {SCORE_KEY}"
        " DO UPDATE SET score = EXCLUDED.score, version = EXCLUDED.version"
        f" WHERE {s}.scores.version < EXCLUDED.version", list(newest.values()),
        page_size=1000)


PROJECTIONS: dict[str, Callable[[Cursor, str, dict[str, Any], int], None]] = {
    "ProgrammeLaunched": _programme,
    "FunderRegistered": _funder,
    "FunderRoleAssigned": _role,
    "TargetSet": _target,
    "FundingCommitted": _commitment,
    "ExpenditureRecorded": _expenditure,
    "FundsDisbursed": _disbursement,
    "OrganisationRegistered": _organisation,
    "OrganisationProfileUpdated": _organisation,
    "OrganisationJoinedProgramme": _joined,
    "ParticipantEnrolled": _enrolment(None),
    "TrainingCompleted": _enrolment("completed"),
    "TrainingDropped": _enrolment("dropped"),
    "TrainerCertified": _trainer,
    "TeacherCategoryAttested": _category,
    "PracticePublished": _practice,
    "PracticeAdopted": _adoption,
    "CabinetAllocated": _allocation(True),
    "CabinetAllocationCancelled": _allocation(False),
    "CabinetProcured": _cabinet_fact(
        "cost_kzt = %s, commitment_id = %s, funder_id = %s, procured_on = %s",
        "cost_kzt", "commitment_id", "funder_id", "procured_on"),
    "CabinetDelivered": _cabinet_fact("delivered = true"),
    "CabinetCommissioned": _cabinet_fact("commissioned = true, internet_mbps = %s",
                                         "internet_mbps"),
    "AssessmentRoundOpened": _round,
    "ScoresRecorded": _scores,
    "ScoreCorrected": _correction,
}
# Events reporting reads but that change no figure (kept in `processed` all the same).
IGNORED = {"CourseScheduled", "TrainerAssigned", "AttendanceRecorded", "FaultReported",
           "FaultResolved", "AssessmentRoundClosed"}

# Types that arrive by the hundred thousand, projected a batch at a time (same rules).
SET_PROJECTIONS: dict[str, Callable[[Cursor, str, list[Envelope]], None]] = {
    "ParticipantEnrolled": _enrolments(None),
    "TrainingCompleted": _enrolments("completed"),
    "TrainingDropped": _enrolments("dropped"),
    "ScoresRecorded": _scores_together,
}
