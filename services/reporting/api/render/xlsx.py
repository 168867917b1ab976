"""A programme's report as an XLSX workbook: one sheet per section, numbers as numbers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from services.reporting.api.render.spreadsheet import OUTCOME_COLUMNS, outcome_rows

# The JSON report writes these decimals as text (exactness); the workbook makes them numbers.
# Codes such as a district's "1532" stay text.
DECIMAL_COLUMNS = {"baseline", "target", "share_reached", "progress_from_baseline", "gain",
                   "effect_size_d", "difference_in_differences", "internet_mbps",
                   "internet_need_mbps", "days_to_resolve_median", "internet_mbps_median",
                   *(c for c in OUTCOME_COLUMNS
                     if c.endswith(("_mean", "_share", "_low", "_high")))}


def _sheet(book: Workbook, title: str, columns: list[str], rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([Decimal(v) if c in DECIMAL_COLUMNS and v is not None else v
                      for c, v in zip(columns, row, strict=True)])
        _text_stays_text(sheet[sheet.max_row])
    sheet.freeze_panes = "A2"


def _text_stays_text(cells: Any) -> None:
    # openpyxl stores any string that starts with "=" as a formula; names are never formulas.
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def workbook(report: dict[str, Any], districts: list[dict[str, Any]],
             organisations: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, "Indicators", ["indicator", "measure", "baseline", "target", "actual",
                                "share_reached", "period_end", "numerator", "denominator",
                                "progress_from_baseline"],
           [[i["indicator"], i["measure"], i["baseline"], i["target"], i["actual"],
             i["share_reached"], str(i["period_end"]), i.get("numerator"),
             i.get("denominator"), i.get("progress_from_baseline")]
            for i in report["indicators"]])
    _sheet(book, "Progress", ["indicator", "month", "actual"],
           [[i["indicator"], point["month"], point["actual"]] for i in report["indicators"]
            for point in i.get("progress", [])])
    _sheet(book, "Money", ["commitment_id", "funder_id", "scope", "committed_kzt",
                           "disbursed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt",
                           "remaining_kzt", "funder_name_kk", "funder_name_ru",
                           "funder_name_en", "held_by_implementer_kzt"],
           [[c["commitment_id"], c["funder_id"], c["scope"], c["committed_kzt"],
             c["disbursed_kzt"], c["procured_kzt"], c["expenditure_kzt"], c["spent_kzt"],
             c["remaining_kzt"],
             c.get("funder_name_kk"), c.get("funder_name_ru"), c.get("funder_name_en"),
             c.get("held_by_implementer_kzt")]
            for c in report["money"]["commitments"]])
    _sheet(book, "Spending", ["category", "spent_kzt"],
           [[category, amount] for category, amount in
            report["money"]["spent_by_category"].items()])
    _sheet(book, "Spending by commitment", ["commitment_id", "funder_id", "category",
                                            "spent_kzt"],
           [[c["commitment_id"], c["funder_id"], category, amount]
            for c in report["money"]["commitments"]
            for category, amount in (c.get("spent_by_category") or {}).items()])
    _sheet(book, "Learning outcomes", OUTCOME_COLUMNS,
           outcome_rows(report["learning_outcomes"]))
    if report.get("diffusion"):
        _sheet(book, "Diffusion", ["practice_id", "code", "direction", "title", "school_id",
                                   "published_on", "adopting_school", "adopted_on"],
               [[p["practice_id"], p["code"], p["direction"], p["title"], p["school_id"],
                 str(p["published_on"]), a.get("school_id"), a.get("adopted_on")]
                for p in report["diffusion"] for a in p["adoptions"] or [{}]])
    if (report.get("cabinets") or {}).get("allocated"):  # a programme with no equipment: none
        _cabinets(book, report["cabinets"])
    if (report.get("development") or {}).get("organisations"):
        _development(book, report["development"])
    for title, lines in (("Districts", districts), ("Organisations", organisations)):
        columns = list(lines[0]) if lines else ["organisation_id"]
        _sheet(book, title, columns, [[line[c] for c in columns] for line in lines])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SCHOOL = ["organisation_id", "name_ru", "district_code", "district_name_kk",
          "district_name_ru", "district_name_en", "name_known"]
CABINET_FIGURES = ["cabinets", "commissioned", "working", "faults_open", "faults_resolved",
                   "internet_mbps"]


def _cabinets(book: Workbook, section: dict[str, Any]) -> None:
    """The schools' working state, a school per row; the totals on a sheet of their own."""
    _sheet(book, "Cabinets", [*SCHOOL, *CABINET_FIGURES, "below_internet_need"],
           [[school.get(c) for c in (*SCHOOL, *CABINET_FIGURES)]
            + [None if school["internet_mbps"] is None
               else Decimal(school["internet_mbps"]) < Decimal(section["internet_need_mbps"])]
            for school in section["schools"]])
    totals = [name for name in section if name != "schools"]
    _sheet(book, "Cabinets in total", totals, [[section[name] for name in totals]])


DEVELOPMENT = ["fact", "id", "title", "date", "valid_until", "partner_kind", "purpose",
               "memorandum_ref"]


def _development(book: Workbook, section: dict[str, Any]) -> None:
    """Each school's strategy in force, projects and partners, a fact per row."""
    rows = []
    for school in section["organisations"]:
        head = [school.get(c) for c in SCHOOL]
        if (strategy := school.get("strategy")) is not None:
            rows.append(head + ["strategy", strategy["strategy_id"], strategy["title"],
                                _day(strategy["adopted_on"]), _day(strategy["valid_until"]),
                                None, None, None])
        rows += [head + ["project", p["project_id"], p["title"], _day(p["launched_on"]),
                         None, None, None, None]
                 for p in school["projects"]]
        rows += [head + ["partner", p["partnership_id"], p["partner_name"],
                         _day(p["signed_on"]), None, p["partner_kind"], p["purpose"],
                         p["memorandum_ref"]] for p in school["partners"]]
    _sheet(book, "Development", [*SCHOOL, *DEVELOPMENT], rows)


def _day(value: Any) -> str | None:
    return None if value is None else str(value)
