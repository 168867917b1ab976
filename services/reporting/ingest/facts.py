"""One function per event type: what the event changes in the read model's tables.

Each fact row keeps the event that made it what it is (`by_src`, `by_nid`, `recorded_at`,
or one set per step for an enrolment or a cabinet), so the events behind a figure and the
figure as of any moment are queries. Where two events could make the same fact, the earlier
in its log is kept, so any arrival order gives the same rows. A fact that changes keeps
every version (versions.py). Inserts name their columns: a model made by an older version
gains the new columns at the end until it is rebuilt.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import psycopg2.extras
from psycopg2 import sql

from services.reporting.ingest import tables, versions
from services.reporting.ingest.tables import Cursor, q
from shared.contracts.envelope import Envelope

Fact = Callable[[Cursor, str, Envelope], None]
Row = dict[str, Any]


def _event(e: Envelope) -> Row:
    return {"by_src": e.service, "by_nid": e.notificationid, "recorded_at": e.time}


def _rows_into(cur: Cursor, s: str, table: str, columns: list[str], rows: list[Any],
               conflict: str, **names: sql.Composable) -> None:
    """`INSERT INTO s.table AS t (columns) <rows> <conflict>`, rows given as value lists in
    the order of `columns`. The rows travel as one array per column, unnested by the
    server: psycopg2 quotes a list in C, where execute_values formats every row in Python
    (a third of a score sheet's time). A table with an array column keeps execute_values."""
    types = tables.column_types(table)
    head = "INSERT INTO {s}.{t} AS t ({c}) "
    if any(types[c].endswith("]") for c in columns):
        psycopg2.extras.execute_values(cur, q(head + "VALUES %s " + conflict, s, t=table,
                                              c=_names(columns), **names),
                                       rows, page_size=1000)
        return
    arrays = sql.SQL(", ").join(sql.SQL("%s::{}[]".format(types[c])) for c in columns)  # noqa: UP032
    cur.execute(q(head + "SELECT * FROM unnest({a}) " + conflict, s, t=table,
                  c=_names(columns), a=arrays, **names),
                [[row[i] for row in rows] for i in range(len(columns))])


def _insert(cur: Cursor, s: str, table: str, rows: list[Row]) -> None:
    """Insert facts with their event; the same fact from an earlier event wins."""
    if not rows:
        return
    columns = list(rows[0])
    _rows_into(cur, s, table, columns, [[row[c] for c in columns] for row in rows],
               "ON CONFLICT ({k}) DO UPDATE SET by_src = EXCLUDED.by_src,"
               " by_nid = EXCLUDED.by_nid, recorded_at = EXCLUDED.recorded_at"
               " WHERE t.by_nid > EXCLUDED.by_nid", k=_names(tables.key_names(table)))


def _insert_one(table: str, *fields: str) -> Fact:
    def project(cur: Cursor, s: str, e: Envelope) -> None:
        _insert(cur, s, table, [{**{f: e.data[f] for f in fields}, **_event(e)}])
    return project


def _upsert(cur: Cursor, s: str, table: str, rows: list[Row], newer: str,
            always: dict[str, str] | None = None, rank: versions.Rank = versions.by_version,
            ) -> None:
    """The newest version per key by `rank` (versions.newest) into the live table: a row
    replaces the live one when `newer` (the same order in SQL) holds; columns in `always`
    merge whichever is newer."""
    rows = versions.newest(cur, s, table, rows, rank)
    if not rows:
        return
    columns, keys = list(rows[0]), tables.key_names(table)
    values = [c for c in columns if c not in keys and c not in (always or {})]
    if always:
        sets = [f"{c} = CASE WHEN {newer} THEN EXCLUDED.{c} ELSE t.{c} END" for c in values]
        sets += [f"{c} = {expr}" for c, expr in always.items()]
        guard = ""
    else:
        sets, guard = [f"{c} = EXCLUDED.{c}" for c in values], f" WHERE {newer}"
    _rows_into(cur, s, table, columns, [[row[c] for c in columns] for row in rows],
               "ON CONFLICT ({k}) DO UPDATE SET " + ", ".join(sets) + guard, k=_names(keys))


def _names(columns: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


NEWER = "t.version < EXCLUDED.version"

# ------------------------------------------------------------------ registry
funder = _insert_one("funders", "funder_id", "name_kk", "name_ru", "name_en",
                     "organisation_type")
role = _insert_one("funder_roles", "programme_id", "funder_id", "role", "iati_role_code")
commitment = _insert_one("commitments", "commitment_id", "programme_id", "funder_id", "scope",
                         "amount_kzt", "committed_on")
expenditure = _insert_one("expenditures", "commitment_id", "reference", "programme_id",
                          "funder_id", "category", "amount_kzt", "spent_on")
disbursement = _insert_one("disbursements", "commitment_id", "reference", "programme_id",
                           "funder_id", "amount_kzt", "disbursed_on")
# A school's development: facts recorded once per id (a repeat is the same fact).
strategy = _insert_one("strategies", "strategy_id", "programme_id", "organisation_id", "title",
                       "adopted_on", "valid_until")
project = _insert_one("projects", "project_id", "programme_id", "organisation_id", "title",
                      "launched_on", "strategy_id")
partnership = _insert_one("partnerships", "partnership_id", "programme_id", "organisation_id",
                          "partner_name", "partner_kind", "signed_on", "purpose",
                          "memorandum_ref")
joined = _insert_one("participants", "programme_id", "organisation_id", "model", "kind",
                     "district_code", "joined_on")


def programme(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    _insert(cur, s, "programmes", [{
        **{k: d[k] for k in ("programme_id", "name_kk", "name_ru", "name_en", "regions",
                             "budget_kzt")},
        "start_date": d["start"], "end_date": d["end"], **_event(e)}])


def target(cur: Cursor, s: str, e: Envelope) -> None:
    d, last = e.data, e.data["periods"][-1]
    _upsert(cur, s, "targets", [{
        "programme_id": d["programme_id"], "indicator": d["indicator"], "measure": d["measure"],
        "baseline": d["baseline"]["value"], "target": last["target"],
        "period_end": last["end"], "version": e.subjectversion, **_event(e)}], NEWER)


def organisation(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    # The newest school year is the current profile, whichever event brings it first; the
    # registration names it, whenever it arrives.
    _upsert(cur, s, "organisations", [{
        **{k: d[k] for k in ("organisation_id", "kind", "region_code", "district_code",
                             "school_year", "small_class", "pupils", "teachers")},
        "name_ru": d.get("name_ru"), "version": e.subjectversion, **_event(e)}],
        "(t.school_year, t.version) < (EXCLUDED.school_year, EXCLUDED.version)",
        always={"name_ru": "COALESCE(EXCLUDED.name_ru, t.name_ru)"},
        rank=lambda row: (row["school_year"], row["version"]))
    # Every year's profile too: a round's small-class split uses the profile of its own
    # school year, so next year's contingent never rewrites this year's outcomes.
    _upsert(cur, s, "profiles", [{
        **{k: d[k] for k in ("organisation_id", "school_year", "small_class", "pupils")},
        "version": e.subjectversion, **_event(e)}], NEWER)


def place(cur: Cursor, s: str, e: Envelope) -> None:
    """A region's or district's names; a renaming (a newer version) replaces them."""
    d = e.data
    _upsert(cur, s, "places", [{
        "place_code": d["district_code"] or d["region_code"], "level": d["level"],
        "kato": d["kato"], "name_kk": d["name_kk"], "name_ru": d["name_ru"],
        "name_en": d["name_en"], "version": e.subjectversion, **_event(e)}], NEWER)


# ------------------------------------------------------------------ training
# The status moves only to a newer version (a completion that arrived before its enrolment
# stays completed); the enrolment's own event and its ending are kept whenever they come.
STEP = ("enrolled_src", "enrolled_nid", "enrolled_on", "enrolled_at")
ENDING = ("ended_src", "ended_nid", "ended_on", "ended_at")
ENROLMENT_COLUMNS = ["enrolment_id", "programme_id", "role", "participant_id", "school_id",
                     "team_id", "status", "status_version", *STEP, *ENDING]
ENROLMENT_CONFLICT = (
    "ON CONFLICT (enrolment_id) DO UPDATE SET"
    " status = CASE WHEN t.status_version < EXCLUDED.status_version"
    "   THEN EXCLUDED.status ELSE t.status END,"
    " status_version = GREATEST(t.status_version, EXCLUDED.status_version), "
    + ", ".join(f"{c} = COALESCE(t.{c}, EXCLUDED.{c})" for c in STEP) + ", "
    + ", ".join(f"{c} = CASE WHEN t.status_version < EXCLUDED.status_version"
                f" THEN EXCLUDED.{c} ELSE t.{c} END" for c in ENDING))


def enrolments(status: str | None) -> Callable[[Cursor, str, list[Envelope]], None]:
    """A batch of one type in one upsert. A statement may not touch a row twice: of two
    events for one enrolment, the newer is kept."""
    def project(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
        newest: dict[str, tuple[Any, ...]] = {}
        for e in envelopes:
            d, v = e.data, e.subjectversion if status else 0
            step = (e.service, e.notificationid,
                    d.get("enrolled_on") or d.get("completed_on") or d.get("dropped_on"), e.time)
            row = (d["enrolment_id"], d["programme_id"], d["role"], d["participant_id"],
                   d["school_id"], d["management_team_id"], status or "enrolled", v,
                   *(step if status is None else (None,) * 4),
                   *(step if status else (None,) * 4))
            key = str(d["enrolment_id"])
            if key not in newest or newest[key][7] < v:
                newest[key] = row
        _rows_into(cur, s, "enrolments", ENROLMENT_COLUMNS, list(newest.values()),
                   ENROLMENT_CONFLICT)
    return project


trainer = _insert_one("trainers", "programme_id", "person_id", "certified_on")
practice = _insert_one("practices", "practice_id", "programme_id", "school_id", "code",
                       "direction", "title", "published_on")
adoption = _insert_one("adoptions", "practice_id", "school_id", "programme_id", "adopted_on")


def category(cur: Cursor, s: str, e: Envelope) -> None:
    """The newest attestation is the category; the first one, whenever it arrives, is when
    the teacher came to hold one (the progress line counts from then)."""
    d = e.data
    _upsert(cur, s, "categories", [{
        **{k: d[k] for k in ("teacher_id", "programme_id", "category", "attested_on")},
        "version": e.subjectversion, **_event(e)}], NEWER, always={
        "version": "GREATEST(t.version, EXCLUDED.version)",
        "attested_on": "LEAST(t.attested_on, EXCLUDED.attested_on)"})


# ------------------------------------------------------------------ equipment
def _cabinet_row(cur: Cursor, s: str, d: dict[str, Any]) -> None:
    cur.execute(q("INSERT INTO {s}.cabinets (cabinet_id, programme_id, organisation_id, kind,"
                  " district_code, allocated) VALUES (%s,%s,%s,%s,%s,NULL)"
                  " ON CONFLICT DO NOTHING", s),
                (d["cabinet_id"], d["programme_id"], d["organisation_id"], d["kind"],
                 d["district_code"]))


def allocation(allocated: bool) -> Fact:
    """Cancelled and given back any number of times: every version is kept."""
    def project(cur: Cursor, s: str, e: Envelope) -> None:
        d, v = e.data, e.subjectversion
        _cabinet_row(cur, s, d)
        _insert(cur, s, "cabinet_allocations", [{
            "cabinet_id": d["cabinet_id"], "version": v, "allocated": allocated, **_event(e)}])
        cur.execute(q("UPDATE {s}.cabinets SET allocated = %s, allocation_version = %s"
                      " WHERE cabinet_id = %s AND allocation_version < %s", s),
                    (allocated, v, d["cabinet_id"], v))
    return project


def cabinet_step(step: str, columns: tuple[str, ...] = (), fields: tuple[str, ...] = (),
                 flag: bool = False) -> Fact:
    """Procured, delivered and commissioned each happen once and only ever become true:
    order does not matter. A procured cabinet was allocated, whatever allocation event is
    still on its way."""
    names = [*columns, f"{step}_src", f"{step}_nid", f"{step}_at", *([step] if flag else [])]

    def project(cur: Cursor, s: str, e: Envelope) -> None:
        _cabinet_row(cur, s, e.data)
        cur.execute(q("UPDATE {s}.cabinets SET ({c}) = ROW({v}) WHERE cabinet_id = %s", s,
                      c=_names(names), v=sql.SQL(", ").join([sql.Placeholder()] * len(names))),
                    (*[e.data[f] for f in fields], e.service, e.notificationid, e.time,
                     *([True] if flag else []), e.data["cabinet_id"]))
    return project


def fault_step(step: str, *fields: str) -> Fact:
    """A fault's report and its resolution each happen once: either may arrive first (the
    row is made by whichever does), and each keeps its own event. Of two events claiming
    the same step, the earlier in its log is kept."""
    names = [*fields, f"{step}_src", f"{step}_nid", f"{step}_at"]

    def project(cur: Cursor, s: str, e: Envelope) -> None:
        d = e.data
        cur.execute(q("INSERT INTO {s}.faults (cabinet_id, fault_id, programme_id,"
                      " organisation_id, district_code) VALUES (%s,%s,%s,%s,%s)"
                      " ON CONFLICT DO NOTHING", s),
                    (d["cabinet_id"], d["fault_id"], d["programme_id"], d["organisation_id"],
                     d["district_code"]))
        cur.execute(q("UPDATE {s}.faults SET ({c}) = ROW({v}) WHERE cabinet_id = %s"
                      " AND fault_id = %s AND ({n} IS NULL OR {n} > %s)", s,
                      c=_names(names), v=sql.SQL(", ").join([sql.Placeholder()] * len(names)),
                      n=f"{step}_nid"),
                    (*[d[f] for f in fields], e.service, e.notificationid, e.time,
                     d["cabinet_id"], d["fault_id"], e.notificationid))
    return project


# ------------------------------------------------------------------ assessment
def assessment_round(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    _insert(cur, s, "rounds", [{
        **{k: d[k] for k in ("round_id", "programme_id", "phase", "baseline_round_id",
                             "school_year", "opened_on")},
        "subjects": json.dumps(d["subjects"]), **_event(e)}])
    _insert(cur, s, "comparison_schools", [
        {"round_id": d["round_id"], "school_id": school, **_event(e)}
        for school in dict.fromkeys(d["comparison_school_ids"])])


def _score(e: Envelope, d: dict[str, Any], pupil_ref: str, subject: str, score: int) -> Row:
    return {"round_id": d["round_id"], "school_id": d["school_id"], "grade": d["grade"],
            "pupil_ref": pupil_ref, "subject": subject, "score": score,
            "version": e.subjectversion, **_event(e)}


def correction(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    _upsert(cur, s, "scores", [_score(e, d, d["pupil_ref"], d["subject"], d["score"])], NEWER)


def scores(cur: Cursor, s: str, envelopes: list[Envelope]) -> None:
    """Every ScoresRecorded of a batch in one upsert; per score, the newest version."""
    _upsert(cur, s, "scores", [
        _score(e, e.data, entry["pupil_ref"], entry["subject"], entry["score"])
        for e in envelopes for entry in e.data["scores"]], NEWER)
