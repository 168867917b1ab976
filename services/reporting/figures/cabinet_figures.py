"""Whether the cabinets work: the catalogue's figures of the equipment's working state.

A cabinet works when it is commissioned and no fault on it is open. A fault counts as
reported once its report is in, and as resolved once its resolution is in too, so reported
is always open plus resolved, whichever of the two events arrived first. The internet a
cabinet needs is the programme's 10 Mbps, measured at commissioning.

Each figure is SQL over the read model (`actual`, `events`, as the catalogue's) and a
count over the reconciliation's fold of the logs, written apart from that SQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from services.reporting.figures.fold import Fold
from services.reporting.figures.indicator import Indicator

INTERNET_NEED_MBPS = Decimal(10)  # what the programme needs per cabinet, in Mbit/s

ALLOCATED = "WHERE c.programme_id = %(p)s AND coalesce(c.allocated, true)"
CABINETS = "FROM {s}.cabinets c " + ALLOCATED
# A fault on a cabinet whose allocation was cancelled is no longer the programme's, as that
# cabinet is not (a fault whose cabinet has not arrived yet counts, as such a cabinet would).
FAULTS = ("FROM {s}.faults f WHERE f.programme_id = %(p)s AND NOT EXISTS (SELECT 1"
          " FROM {s}.cabinets c WHERE c.cabinet_id = f.cabinet_id AND NOT c.allocated)")
OPEN = "f.reported_nid IS NOT NULL AND f.resolved_nid IS NULL"
RESOLVED = "f.reported_nid IS NOT NULL AND f.resolved_nid IS NOT NULL"
BROKEN = f"EXISTS (SELECT 1 FROM {{s}}.faults f WHERE f.cabinet_id = c.cabinet_id AND {OPEN})"
WORKING = f"c.commissioned AND NOT {BROKEN}"
SLOW = f"c.commissioned AND c.internet_mbps < {INTERNET_NEED_MBPS}"
CABINET_FIELDS = "jsonb_build_object('cabinet_id', c.cabinet_id::text, 'organisation_id'," \
                 " c.organisation_id)"
# A working cabinet counts by the later of its commissioning and its last fault's resolution.
LAST_RESOLUTION = """LEFT JOIN LATERAL (
    SELECT f.resolved_src AS src, f.resolved_nid AS nid, f.resolved_on AS day,
           f.resolved_at AS at FROM {s}.faults f
     WHERE f.cabinet_id = c.cabinet_id AND f.resolved_nid IS NOT NULL
     ORDER BY f.resolved_at DESC, f.resolved_nid DESC LIMIT 1) r ON true"""
LATER = "r.at > c.commissioned_at"


def _faults(where: str, step: str) -> tuple[str, str]:
    rows = f"{FAULTS} AND {where}"
    return (f"SELECT count(*) {rows}",
            f"SELECT f.{step}_src AS src, f.{step}_nid AS nid, 1 AS value, jsonb_build_object("
            "'cabinet_id', f.cabinet_id::text, 'fault_id', f.fault_id, 'organisation_id',"
            f" f.organisation_id) AS fields, f.{step}_on AS day {rows}")


def _open_on(fold: Fold) -> set[str]:
    """The cabinets with a fault open, by the logs."""
    return {cabinet for (cabinet, _), f in fold.faults.items()
            if f["reported"] and not f["resolved"]}


def _cabinets(fold: Fold, p: str) -> list[tuple[str, dict[str, Any]]]:
    return [(cid, c) for cid, c in fold.cabinets.items()
            if c["programme_id"] == p and c["allocated"]]


def count_working(fold: Fold, p: str) -> int:
    broken = _open_on(fold)
    return sum(c["commissioned"] and cid not in broken for cid, c in _cabinets(fold, p))


def count_slow(fold: Fold, p: str) -> int:
    return sum(c["commissioned"] and c["internet_mbps"] < INTERNET_NEED_MBPS
               for _, c in _cabinets(fold, p))


def count_faults(state: str) -> Callable[[Fold, str], int]:
    def count(fold: Fold, p: str) -> int:
        cancelled = {cid for cid, c in fold.cabinets.items() if not c["allocated"]}
        faults = [f for (cabinet, _), f in fold.faults.items()
                  if f["programme_id"] == p and f["reported"] and cabinet not in cancelled]
        if state == "open":
            return sum(not f["resolved"] for f in faults)
        return sum(f["resolved"] for f in faults) if state == "resolved" else len(faults)
    return count


def indicators() -> list[Indicator]:
    reported, open_, resolved = (_faults("f.reported_nid IS NOT NULL", "reported"),
                                 _faults(OPEN, "reported"), _faults(RESOLVED, "resolved"))
    need = f"{INTERNET_NEED_MBPS:f}"
    return [
        Indicator("cabinets_working", {"kk": "Жұмыс істеп тұрған кабинеттер",
                                       "ru": "Работающие кабинеты", "en": "Cabinets working"},
                  f"SELECT count(*) {CABINETS} AND {WORKING}",
                  f"SELECT CASE WHEN {LATER} THEN r.src ELSE c.commissioned_src END AS src,"
                  f" CASE WHEN {LATER} THEN r.nid ELSE c.commissioned_nid END AS nid,"
                  f" 1 AS value, {CABINET_FIELDS} AS fields,"
                  f" CASE WHEN {LATER} THEN r.day ELSE c.commissioned_on END AS day"
                  f" FROM {{s}}.cabinets c {LAST_RESOLUTION} {ALLOCATED} AND {WORKING}",
                  count_working, targetable=False),
        Indicator("faults_reported", {"kk": "Тіркелген ақаулар",
                                      "ru": "Зарегистрировано неисправностей",
                                      "en": "Faults reported"},
                  *reported, count_faults("reported"), targetable=False),
        Indicator("faults_open", {"kk": "Жойылмаған ақаулар",
                                  "ru": "Неустранённые неисправности", "en": "Faults open"},
                  *open_, count_faults("open"), targetable=False),
        Indicator("faults_resolved", {"kk": "Жойылған ақаулар",
                                      "ru": "Устранено неисправностей",
                                      "en": "Faults resolved"},
                  *resolved, count_faults("resolved"), targetable=False),
        Indicator("cabinets_below_internet_need", {
            "kk": f"Интернеті {need} Мбит/с-тан баяу кабинеттер",
            "ru": f"Кабинеты с интернетом медленнее {need} Мбит/с",
            "en": f"Cabinets with internet below {need} Mbps"},
            f"SELECT count(*) {CABINETS} AND {SLOW}",
            f"SELECT c.commissioned_src AS src, c.commissioned_nid AS nid, 1 AS value,"
            f" {CABINET_FIELDS} || jsonb_build_object('internet_mbps', c.internet_mbps)"
            f" AS fields, c.commissioned_on AS day {CABINETS} AND {SLOW}",
            count_slow, targetable=False),
    ]
