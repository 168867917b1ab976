"""The catalogue of indicators: each one entry, saying how its actual is counted in the read
model, how the reconciliation's fold counts it apart from that SQL, which events stand
behind it, how it is measured and what it is called in Kazakh, Russian and English.

Reports, the reconciliation, the events behind a figure, the dashboard and the IATI
results all read it; the registry's list of indicators a target may name is its public
copy (shared/contracts/indicators.py, checked against it by a test).

SQL runs with `{s}` the read model's schema and `%(p)s` the programme. An `events` query
gives, per unit counted, the event that made it count: `src`, `nid` (its source and
notification id), `value` (what it adds), `fields` (what it is) and `day` (the fact's own
date: completed on, delivered on, adopted on…, which the progress lines are drawn by).
A unit made by several facts (a teacher with two courses, a pupil in two rounds) is one
line: the event is its first recorded, the day the earliest of its facts' own dates, so
that the line counts it from when it first was, whatever order the facts arrived in.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from services.reporting.figures import cabinet_figures, development_figures, rounding
from services.reporting.figures.fold import Fold
from services.reporting.figures.indicator import Count, Indicator


def _trained(role: str, unit: str) -> tuple[str, str, Count]:
    where = (f" FROM {{s}}.enrolments WHERE programme_id = %(p)s AND role = '{role}'"
             " AND status = 'completed'")
    actual = f"SELECT count(DISTINCT {unit}){where}"
    events = (f"SELECT DISTINCT ON ({unit}) ended_src AS src, ended_nid AS nid, 1 AS value,"
              f" jsonb_build_object('{'management_team_id' if unit == 'team_id' else unit}',"
              f" {unit}, 'enrolment_id', enrolment_id::text) AS fields,"
              f" {earliest('ended_on', unit)} AS day{where} ORDER BY {unit}, ended_nid")
    key = "management_team_id" if unit == "team_id" else unit

    def count(fold: Fold, p: str) -> int:
        return len({r[key] for r in fold.enrolments.values() if r["programme_id"] == p
                    and r["status"] == "completed" and r["role"] == role})
    return actual, events, count


def earliest(day: str, unit: str) -> str:
    """The earliest of a unit's facts' own dates, beside the one row DISTINCT ON keeps
    (a window is computed before DISTINCT ON picks)."""
    return f"min({day}) OVER (PARTITION BY {unit})"


def _one_per_row(table: str, day: str, *fields: str) -> str:
    pairs = ", ".join(f"'{f}', {f}" for f in fields)
    return (f"SELECT by_src AS src, by_nid AS nid, 1 AS value, jsonb_build_object({pairs})"
            f" AS fields, {day} AS day FROM {{s}}.{table} WHERE programme_id = %(p)s")


# A comparison school's pupils are assessed in the programme's rounds but are not its pupils.
IN_PROGRAMME = (" AND NOT EXISTS (SELECT 1 FROM {s}.comparison_schools cs"
                " WHERE cs.round_id = sc.round_id AND cs.school_id = sc.school_id)")
CABINETS = "FROM {s}.cabinets WHERE programme_id = %(p)s AND coalesce(allocated, true)"
# Each organisation's newest school year: its pupils are the programme's reach.
CURRENT_PROFILES = ("SELECT DISTINCT ON (pa.organisation_id) pa.organisation_id, pr.school_year,"
                    " pr.pupils, pr.by_src, pr.by_nid, pa.joined_on FROM {s}.participants pa"
                    " JOIN {s}.profiles pr USING (organisation_id) WHERE pa.programme_id = %(p)s"
                    " ORDER BY pa.organisation_id, pr.school_year DESC")


def _step(step: str) -> tuple[str, str, Count]:
    actual = f"SELECT count(*) {CABINETS} AND {step}"
    events = (f"SELECT {step}_src AS src, {step}_nid AS nid, 1 AS value, jsonb_build_object("
              f"'cabinet_id', cabinet_id::text, 'organisation_id', organisation_id) AS fields,"
              f" {step}_on AS day {CABINETS} AND {step}")

    def count(fold: Fold, p: str) -> int:
        return sum(c[step] for c in fold.cabinets.values()
                   if c["programme_id"] == p and c["allocated"])
    return actual, events, count


def _schools_equipped(fold: Fold, p: str) -> int:
    by_school: dict[str, list[bool]] = defaultdict(list)
    for c in fold.cabinets.values():
        if c["programme_id"] == p and c["allocated"]:
            by_school[c["organisation_id"]].append(c["commissioned"])
    return sum(all(done) for done in by_school.values())


# The programme's teachers: in one of its courses, or attested under it (the newest
# attestation names it: a teacher re-attested under another programme is that one's). Each
# with the event that made it one (an enrolment before an attestation, the first recorded)
# and the earliest date it was one.
PROGRAMME_TEACHERS = (
    "SELECT DISTINCT ON (teacher_id) teacher_id, src, nid,"
    f" {earliest('day', 'teacher_id')} AS day FROM ("
    " SELECT participant_id AS teacher_id, coalesce(enrolled_src, ended_src) AS src,"
    " coalesce(enrolled_nid, ended_nid) AS nid, 0 AS first,"
    " coalesce(enrolled_on, ended_on) AS day FROM {s}.enrolments"
    " WHERE programme_id = %(p)s AND role = 'teacher' UNION ALL"
    " SELECT teacher_id, by_src, by_nid, 1, attested_on FROM {s}.categories"
    " WHERE programme_id = %(p)s) t ORDER BY teacher_id, first, nid")
# Of them, those holding a category, attested under this programme, another or none. Both
# the category and being the programme's teacher make one count, so the event is the later
# recorded of the attestation and the teacher's first event in the programme (both are the
# training log's: its notification ids are the order it recorded them in), and the day the
# teacher first held a category (the progress line draws the share over all the programme's
# teachers, so holding one before joining counts from then).
LATER_RECORDED = "CASE WHEN pt.nid > c.by_nid THEN pt.{0} ELSE c.by_{0} END"
WITH_CATEGORY = (
    f"SELECT {LATER_RECORDED.format('src')} AS src, {LATER_RECORDED.format('nid')} AS nid,"
    " 1 AS value, jsonb_build_object("
    "'teacher_id', c.teacher_id, 'category', c.category, 'attested_under', c.programme_id)"
    f" AS fields, c.attested_on AS day FROM ({PROGRAMME_TEACHERS}) pt"
    " JOIN {s}.categories c USING (teacher_id)")


def _teachers_of(fold: Fold, p: str) -> set[str]:
    return ({r["participant_id"] for r in fold.enrolments.values()
             if r["programme_id"] == p and r["role"] == "teacher"}
            | {t for t, q in fold.categories.items() if q == p})


def _programme_teachers(fold: Fold, p: str) -> int:
    return len(_teachers_of(fold, p))


def _teachers_with_category(fold: Fold, p: str) -> int:
    return len({t for t in _teachers_of(fold, p) if t in fold.categories})


def _entries() -> list[Indicator]:
    teachers, managers, teams = (_trained("teacher", "participant_id"),
                                 _trained("manager", "participant_id"),
                                 _trained("manager", "team_id"))
    delivered, commissioned = _step("delivered"), _step("commissioned")
    return [
        Indicator("teachers_trained", {"kk": "Оқытылған мұғалімдер", "ru": "Обучено учителей",
                                       "en": "Teachers trained"}, *teachers),
        Indicator("managers_trained", {"kk": "Оқытылған басшылар",
                                       "ru": "Обучено руководителей",
                                       "en": "Managers trained"}, *managers),
        Indicator("management_teams_trained", {"kk": "Оқытылған басқару топтары",
                                               "ru": "Обучено управленческих команд",
                                               "en": "Management teams trained"}, *teams),
        Indicator("trainers_certified", {"kk": "Сертификатталған тренерлер",
                                         "ru": "Сертифицировано тренеров",
                                         "en": "Trainers certified"},
                  "SELECT count(*) FROM {s}.trainers WHERE programme_id = %(p)s",
                  _one_per_row("trainers", "certified_on", "person_id"),
                  lambda fold, p: sum(q == p for q, _ in fold.trainers)),
        # The programme's teachers holding a qualification category.
        Indicator("teachers_with_category", {"kk": "Санаты бар мұғалімдер",
                                             "ru": "Учителя с категорией",
                                             "en": "Teachers with a category"},
                  "SELECT count(*) FROM {s}.categories c WHERE c.programme_id = %(p)s"
                  " OR EXISTS (SELECT 1 FROM {s}.enrolments e WHERE e.programme_id = %(p)s"
                  " AND e.role = 'teacher' AND e.participant_id = c.teacher_id)",
                  WITH_CATEGORY, _teachers_with_category),
        Indicator("programme_teachers", {"kk": "Бағдарлама мұғалімдері",
                                         "ru": "Учителя программы",
                                         "en": "The programme's teachers"},
                  "SELECT count(*) FROM (SELECT participant_id FROM {s}.enrolments"
                  " WHERE programme_id = %(p)s AND role = 'teacher' UNION"
                  " SELECT teacher_id FROM {s}.categories WHERE programme_id = %(p)s) t",
                  "SELECT src, nid, 1 AS value, jsonb_build_object('teacher_id', teacher_id)"
                  f" AS fields, day FROM ({PROGRAMME_TEACHERS}) t",
                  _programme_teachers, targetable=False),
        # Of the programme's teachers, the share holding a qualification category: the
        # Aktobe pilot's 60 % at the start.
        Indicator("teachers_with_category_share", {
            "kk": "Санаты бар мұғалімдер үлесі", "ru": "Доля учителей с категорией",
            "en": "Share of teachers with a category"},
            measure="percentage", parts=("teachers_with_category", "programme_teachers")),
        Indicator("organisations_reached", {"kk": "Қамтылған ұйымдар",
                                            "ru": "Охвачено организаций",
                                            "en": "Organisations reached"},
                  "SELECT count(*) FROM {s}.participants WHERE programme_id = %(p)s",
                  _one_per_row("participants", "joined_on", "organisation_id"),
                  lambda fold, p: sum(q == p for q, _ in fold.participants)),
        Indicator("pupils_reached", {"kk": "Қамтылған оқушылар", "ru": "Охвачено учащихся",
                                     "en": "Pupils reached"},
                  f"SELECT coalesce(sum(pupils), 0) FROM ({CURRENT_PROFILES}) current",
                  "SELECT by_src AS src, by_nid AS nid, pupils AS value, jsonb_build_object("
                  "'organisation_id', organisation_id, 'school_year', school_year) AS fields,"
                  f" joined_on AS day FROM ({CURRENT_PROFILES}) current",
                  lambda fold, p: sum(fold.profiles[o][1] for q, o in fold.participants
                                      if q == p and o in fold.profiles)),
        Indicator("schools_equipped", {"kk": "Жабдықталған мектептер", "ru": "Оснащено школ",
                                       "en": "Schools equipped"},
                  f"SELECT count(*) FROM (SELECT organisation_id {CABINETS}"
                  " GROUP BY organisation_id HAVING bool_and(commissioned)) equipped",
                  # A school counts with the commissioning that completed it.
                  "SELECT (array_agg(commissioned_src ORDER BY commissioned_nid DESC))[1] AS src,"
                  " max(commissioned_nid) AS nid, 1 AS value, jsonb_build_object("
                  f"'organisation_id', organisation_id, 'cabinets', count(*)) AS fields,"
                  f" max(commissioned_on) AS day {CABINETS}"
                  " GROUP BY organisation_id HAVING bool_and(commissioned)",
                  _schools_equipped),
        Indicator("cabinets_delivered", {"kk": "Жеткізілген кабинеттер",
                                         "ru": "Поставлено кабинетов",
                                         "en": "Cabinets delivered"}, *delivered),
        Indicator("cabinets_commissioned", {"kk": "Іске қосылған кабинеттер",
                                            "ru": "Введено кабинетов",
                                            "en": "Cabinets commissioned"}, *commissioned),
        Indicator("pupils_assessed", {"kk": "Бағаланған оқушылар", "ru": "Оценено учащихся",
                                      "en": "Pupils assessed"},
                  "SELECT count(DISTINCT sc.pupil_ref) FROM {s}.scores sc"
                  " JOIN {s}.rounds r USING (round_id) WHERE r.programme_id = %(p)s"
                  + IN_PROGRAMME,
                  "SELECT DISTINCT ON (sc.pupil_ref) sc.by_src AS src, sc.by_nid AS nid,"
                  " 1 AS value, jsonb_build_object('pupil_ref', sc.pupil_ref, 'school_id',"
                  " sc.school_id, 'grade', sc.grade) AS fields,"
                  f" {earliest('r.opened_on', 'sc.pupil_ref')} AS day"
                  " FROM {s}.scores sc"
                  " JOIN {s}.rounds r USING (round_id) WHERE r.programme_id = %(p)s"
                  + IN_PROGRAMME + " ORDER BY sc.pupil_ref, sc.by_nid",
                  lambda fold, p: len({ref for r, school, ref, _ in fold.scores
                                       if fold.rounds.get(r) == p
                                       and (r, school) not in fold.comparison})),
        Indicator("practices_published", {"kk": "Жарияланған тәжірибелер",
                                          "ru": "Опубликовано практик",
                                          "en": "Practices published"},
                  "SELECT count(*) FROM {s}.practices WHERE programme_id = %(p)s",
                  "SELECT by_src AS src, by_nid AS nid, 1 AS value, jsonb_build_object("
                  "'practice_id', practice_id::text) AS fields, published_on AS day"
                  " FROM {s}.practices"
                  " WHERE programme_id = %(p)s",
                  lambda fold, p: sum(q == p for q in fold.practices.values())),
        # "20 schools introduce their projects in 100 schools": distinct adopting schools,
        # each with its first adoption.
        Indicator("practices_adopted", {"kk": "Тәжірибе енгізген мектептер",
                                        "ru": "Школ, внедривших практики",
                                        "en": "Schools adopting a practice"},
                  "SELECT count(DISTINCT school_id) FROM {s}.adoptions"
                  " WHERE programme_id = %(p)s",
                  "SELECT DISTINCT ON (school_id) by_src AS src, by_nid AS nid, 1 AS value,"
                  " jsonb_build_object('practice_id', practice_id::text, 'school_id',"
                  f" school_id) AS fields, {earliest('adopted_on', 'school_id')} AS day"
                  " FROM {s}.adoptions"
                  " WHERE programme_id = %(p)s"
                  " ORDER BY school_id, by_nid",
                  lambda fold, p: len({school for (_, school), q in fold.adoptions.items()
                                       if q == p})),
        # The cabinets' working state and the schools' development, each in its own module.
        *cabinet_figures.indicators(),
        *development_figures.indicators(),
    ]


CATALOGUE: dict[str, Indicator] = {i.name: i for i in _entries()}


def counted() -> list[Indicator]:
    """The indicators that are counts (a percentage is made of two of them)."""
    return [i for i in CATALOGUE.values() if i.parts is None]


def shares() -> dict[str, tuple[str, str]]:
    """Each percentage indicator's (numerator, denominator)."""
    return {i.name: i.parts for i in CATALOGUE.values() if i.parts is not None}


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in per cent, to 0.1 (rounding.share's rule: 10,499 of
    10,500 is 99.9, not a target met); None when there is nothing to divide."""
    return rounding.share(numerator, denominator, *rounding.PER_CENT)


def public_list() -> dict[str, str]:
    """What a target may name, and how it is measured (shared/contracts/indicators.py)."""
    return {i.name: i.measure for i in CATALOGUE.values() if i.targetable}


def label(name: str, lang: str) -> str:
    entry = CATALOGUE.get(name)
    return entry.labels[lang] if entry else name.replace("_", " ")


def labels() -> dict[str, dict[str, Any]]:
    return {name: entry.labels for name, entry in CATALOGUE.items()}
