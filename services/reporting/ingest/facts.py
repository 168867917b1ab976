"""One function per event type: what the event changes in the read model's tables.

Each fact row keeps the (source, notification id) of the event that made it what it is
(`by_src`, `by_nid`, or one pair per step for an enrolment or a cabinet), so the events
behind a figure are a query. Where two events could make the same fact, the earlier in
its log is kept, so any arrival order gives the same rows. Inserts name their columns: a
model made by an older version gains the new columns at the end until it is rebuilt.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import psycopg2.extras

from services.reporting.ingest.tables import Cursor
from shared.contracts.envelope import Envelope

Fact = Callable[[Cursor, str, Envelope], None]


def _insert(cur: Cursor, s: str, table: str, row: dict[str, Any], e: Envelope,
            key: str | None = None) -> None:
    """Insert a fact with its event; on `key`, the same fact from an earlier event wins."""
    row = {**row, "by_src": e.service, "by_nid": e.notificationid}
    columns = ", ".join(row)
    conflict = "DO NOTHING" if key is None else (
        f"({key}) DO UPDATE SET by_src = EXCLUDED.by_src, by_nid = EXCLUDED.by_nid"
        f" WHERE {s}.{table}.by_nid > EXCLUDED.by_nid")
    cur.execute(f"INSERT INTO {s}.{table} ({columns}) VALUES ({', '.join(['%s'] * len(row))})"
                f" ON CONFLICT {conflict}", list(row.values()))


# ------------------------------------------------------------------ registry
def programme(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(f"INSERT INTO {s}.programmes (programme_id, name_kk, name_ru, name_en,"
                " regions, start_date, end_date, budget_kzt) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (d["programme_id"], d["name_kk"], d["name_ru"], d["name_en"], d["regions"],
                 d["start"], d["end"], d["budget_kzt"]))


def funder(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(f"INSERT INTO {s}.funders (funder_id, name_kk, name_ru, name_en,"
                " organisation_type) VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["funder_id"], d["name_kk"], d["name_ru"], d["name_en"],
                 d["organisation_type"]))


def role(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(f"INSERT INTO {s}.funder_roles (programme_id, funder_id, role, iati_role_code)"
                " VALUES (%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (d["programme_id"], d["funder_id"], d["role"], d["iati_role_code"]))


def target(cur: Cursor, s: str, e: Envelope) -> None:
    d, last = e.data, e.data["periods"][-1]
    cur.execute(f"INSERT INTO {s}.targets (programme_id, indicator, measure, baseline, target,"
                " period_end, version) VALUES (%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (programme_id, indicator) DO UPDATE SET measure = EXCLUDED.measure,"
                " baseline = EXCLUDED.baseline, target = EXCLUDED.target,"
                " period_end = EXCLUDED.period_end, version = EXCLUDED.version"
                f" WHERE {s}.targets.version < EXCLUDED.version",
                (d["programme_id"], d["indicator"], d["measure"], d["baseline"]["value"],
                 last["target"], last["end"], e.subjectversion))


def commitment(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "commitments", {k: e.data[k] for k in (
        "commitment_id", "programme_id", "funder_id", "scope", "amount_kzt",
        "committed_on")}, e)


def expenditure(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "expenditures", {k: e.data[k] for k in (
        "commitment_id", "reference", "programme_id", "funder_id", "category", "amount_kzt",
        "spent_on")}, e)


def disbursement(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "disbursements", {k: e.data[k] for k in (
        "commitment_id", "reference", "programme_id", "funder_id", "amount_kzt",
        "disbursed_on")}, e)


def organisation(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    # The newest school year is the current profile, whichever event brings it first.
    cur.execute(f"INSERT INTO {s}.organisations (organisation_id, kind, region_code,"
                " district_code, name_ru, school_year, small_class, pupils, teachers)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (organisation_id) DO UPDATE SET"
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
    cur.execute(f"INSERT INTO {s}.profiles (organisation_id, school_year, small_class, pupils,"
                " version, by_src, by_nid) VALUES (%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (organisation_id, school_year) DO UPDATE SET"
                " small_class = EXCLUDED.small_class, pupils = EXCLUDED.pupils,"
                " version = EXCLUDED.version, by_src = EXCLUDED.by_src,"
                f" by_nid = EXCLUDED.by_nid WHERE {s}.profiles.version < EXCLUDED.version",
                (d["organisation_id"], d["school_year"], d["small_class"], d["pupils"],
                 e.subjectversion, e.service, e.notificationid))


def joined(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "participants", {k: e.data[k] for k in (
        "programme_id", "organisation_id", "model", "kind", "district_code", "joined_on")}, e)


def place(cur: Cursor, s: str, e: Envelope) -> None:
    """A region's or district's names; a renaming (a newer version) replaces them."""
    d = e.data
    code = d["district_code"] or d["region_code"]
    cur.execute(f"INSERT INTO {s}.places (place_code, level, kato, name_kk, name_ru, name_en,"
                " version, by_src, by_nid) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT (place_code) DO UPDATE SET name_kk = EXCLUDED.name_kk,"
                " name_ru = EXCLUDED.name_ru, name_en = EXCLUDED.name_en,"
                " version = EXCLUDED.version, by_src = EXCLUDED.by_src,"
                f" by_nid = EXCLUDED.by_nid WHERE {s}.places.version < EXCLUDED.version",
                (code, d["level"], d["kato"], d["name_kk"], d["name_ru"], d["name_en"],
                 e.subjectversion, e.service, e.notificationid))


# ------------------------------------------------------------------ training
# The status moves only to a newer version (a completion that arrived before its enrolment
# stays completed); the enrolment's own event and its ending are kept whenever they come.
ENROLMENT_UPSERT = (
    "INSERT INTO {s}.enrolments (enrolment_id, programme_id, role, participant_id,"
    " school_id, team_id, status, status_version, enrolled_src, enrolled_nid, ended_src,"
    " ended_nid, enrolled_on, ended_on) VALUES %s ON CONFLICT (enrolment_id) DO UPDATE SET"
    " status = CASE WHEN {s}.enrolments.status_version < EXCLUDED.status_version"
    "   THEN EXCLUDED.status ELSE {s}.enrolments.status END,"
    " status_version = GREATEST({s}.enrolments.status_version, EXCLUDED.status_version),"
    " enrolled_src = COALESCE({s}.enrolments.enrolled_src, EXCLUDED.enrolled_src),"
    " enrolled_nid = COALESCE({s}.enrolments.enrolled_nid, EXCLUDED.enrolled_nid),"
    " ended_src = CASE WHEN {s}.enrolments.status_version < EXCLUDED.status_version"
    "   THEN EXCLUDED.ended_src ELSE {s}.enrolments.ended_src END,"
    " ended_nid = CASE WHEN {s}.enrolments.status_version < EXCLUDED.status_version"
    "   THEN EXCLUDED.ended_nid ELSE {s}.enrolments.ended_nid END,"
    " enrolled_on = COALESCE({s}.enrolments.enrolled_on, EXCLUDED.enrolled_on),"
    " ended_on = CASE WHEN {s}.enrolments.status_version < EXCLUDED.status_version"
    "   THEN EXCLUDED.ended_on ELSE {s}.enrolments.ended_on END")


def enrolments(status: str | None) -> Callable[[Cursor, str, list[Envelope]], None]:
    """A batch of one type in one upsert. A statement may not touch a row twice: of two
    events for one enrolment, the newer is kept."""
    def project(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
        newest: dict[str, tuple[Any, ...]] = {}
        for e in envelopes:
            d, v = e.data, e.subjectversion if status else 0
            ref = (e.service, e.notificationid)
            row = (d["enrolment_id"], d["programme_id"], d["role"], d["participant_id"],
                   d["school_id"], d["management_team_id"], status or "enrolled", v,
                   *(ref if status is None else (None, None)),
                   *(ref if status else (None, None)),
                   d.get("enrolled_on"), d.get("completed_on") or d.get("dropped_on"))
            key = str(d["enrolment_id"])
            if key not in newest or newest[key][7] < v:
                newest[key] = row
        psycopg2.extras.execute_values(cur, ENROLMENT_UPSERT.format(s=s),
                                       list(newest.values()), page_size=1000)
    return project


def trainer(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "trainers", {k: e.data[k] for k in (
        "programme_id", "person_id", "certified_on")}, e,
            key="programme_id, person_id")


def category(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    # The newest attestation is the category; the first one, whenever it arrives, is when
    # the teacher came to hold one (the progress line counts from then).
    newer = f"{s}.categories.version < EXCLUDED.version"
    cur.execute(f"INSERT INTO {s}.categories (teacher_id, programme_id, category, version,"
                " by_src, by_nid, attested_on) VALUES (%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (teacher_id) DO UPDATE SET"
                + ",".join(f" {c} = CASE WHEN {newer} THEN EXCLUDED.{c} ELSE {s}.categories.{c}"
                           " END" for c in ("category", "programme_id", "by_src", "by_nid"))
                + f", version = GREATEST({s}.categories.version, EXCLUDED.version),"
                f" attested_on = LEAST({s}.categories.attested_on, EXCLUDED.attested_on)",
                (d["teacher_id"], d["programme_id"], d["category"], e.subjectversion,
                 e.service, e.notificationid, d["attested_on"]))


def practice(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "practices", {k: e.data[k] for k in (
        "practice_id", "programme_id", "school_id", "code", "direction", "title",
        "published_on")}, e, key="practice_id")


def adoption(cur: Cursor, s: str, e: Envelope) -> None:
    _insert(cur, s, "adoptions", {k: e.data[k] for k in (
        "practice_id", "school_id", "programme_id", "adopted_on")}, e,
        key="practice_id, school_id")


# ------------------------------------------------------------------ equipment
def _cabinet_row(cur: Cursor, s: str, d: dict[str, Any]) -> None:
    cur.execute(f"INSERT INTO {s}.cabinets (cabinet_id, programme_id, organisation_id, kind,"
                " district_code, allocated) VALUES (%s,%s,%s,%s,%s,NULL) ON CONFLICT DO NOTHING",
                (d["cabinet_id"], d["programme_id"], d["organisation_id"], d["kind"],
                 d["district_code"]))


def allocation(allocated: bool) -> Fact:
    def project(cur: Cursor, s: str, e: Envelope) -> None:
        d, v = e.data, e.subjectversion
        _cabinet_row(cur, s, d)
        cur.execute(f"UPDATE {s}.cabinets SET allocated = %s, allocation_version = %s"
                    " WHERE cabinet_id = %s AND allocation_version < %s",
                    (allocated, v, d["cabinet_id"], v))
    return project


def cabinet_step(step: str, sql: str = "", *fields: str) -> Fact:
    """Procured, delivered and commissioned only ever become true: order does not matter.
    A procured cabinet was allocated, whatever allocation event is still on its way."""
    def project(cur: Cursor, s: str, e: Envelope) -> None:
        _cabinet_row(cur, s, e.data)
        cur.execute(f"UPDATE {s}.cabinets SET {sql}{', ' if sql else ''}"
                    f"{step}_src = %s, {step}_nid = %s WHERE cabinet_id = %s",
                    (*[e.data[f] for f in fields], e.service, e.notificationid,
                     e.data["cabinet_id"]))
    return project


# ------------------------------------------------------------------ assessment
def assessment_round(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(f"INSERT INTO {s}.rounds (round_id, programme_id, phase, baseline_round_id,"
                " school_year, subjects, opened_on) VALUES (%s,%s,%s,%s,%s,%s,%s)"
                " ON CONFLICT DO NOTHING",
                (d["round_id"], d["programme_id"], d["phase"], d["baseline_round_id"],
                 d["school_year"], json.dumps(d["subjects"]), d["opened_on"]))
    if d["comparison_school_ids"]:
        psycopg2.extras.execute_values(
            cur, f"INSERT INTO {s}.comparison_schools (round_id, school_id) VALUES %s"
                 " ON CONFLICT DO NOTHING",
            [(d["round_id"], school) for school in d["comparison_school_ids"]])


SCORE_UPSERT = (
    "INSERT INTO {s}.scores (round_id, pupil_ref, subject, school_id, grade, score, version,"
    " by_src, by_nid) VALUES %s ON CONFLICT (round_id, school_id, grade, pupil_ref, subject)"
    " DO UPDATE SET score = EXCLUDED.score, version = EXCLUDED.version,"
    " by_src = EXCLUDED.by_src, by_nid = EXCLUDED.by_nid"
    " WHERE {s}.scores.version < EXCLUDED.version")


def correction(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    psycopg2.extras.execute_values(cur, SCORE_UPSERT.format(s=s), [(
        d["round_id"], d["pupil_ref"], d["subject"], d["school_id"], d["grade"], d["score"],
        e.subjectversion, e.service, e.notificationid)])


def scores(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
    """Every ScoresRecorded of a batch in one upsert; per score, the newest version."""
    newest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for e in envelopes:
        d, v = e.data, e.subjectversion
        for entry in d["scores"]:
            key = (d["round_id"], d["school_id"], d["grade"], entry["pupil_ref"],
                   entry["subject"])
            if key not in newest or newest[key][6] < v:
                newest[key] = (d["round_id"], entry["pupil_ref"], entry["subject"],
                               d["school_id"], d["grade"], entry["score"], v, e.service,
                               e.notificationid)
    psycopg2.extras.execute_values(cur, SCORE_UPSERT.format(s=s), list(newest.values()),
                                   page_size=1000)
