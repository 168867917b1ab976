"""A report and a drill-down as CSV, every text cell safe to open in a spreadsheet.

The report is ONE table, a figure per row (a long, "tidy" table): a spreadsheet opens it
with one header and filters or pivots it without surprise. Its columns, always these eight:

- `section`: indicators, money, spending, learning_outcomes, cabinets or development.
- `figure`: what is measured, as a stable code: an indicator (`teachers_trained`); `money`
  (committed, paid, spent); `spent_by_category`; an assessed subject (`math`); `cabinets`
  (their working state); `development` (strategies, projects, partners).
- `label`: the figure's name in `?lang=` (kk, ru or en).
- `breakdown`: which part of the programme the row is about, as codes: empty for the whole
  programme; `commitment:<id>`; `category:<spending category>`; both, joined by `;`
  (`commitment:qh-1;category:seminars`); for an outcome
  `grade:<n>;split:<split>;rounds:<baseline round>/<endline round>`, the split being all,
  small_class, other, district:<KATO>, model:<model> or comparison.
- `breakdown_label`: the same in words in `?lang=` (a funder's name and the commitment's
  scope, a category's or a district's name).
- `measure`: which number of the figure: for an indicator baseline, target, actual,
  numerator, denominator, share_reached (actual / target), progress_from_baseline,
  period_end; for money the totals' names (committed_kzt, disbursed_kzt, procured_kzt,
  expenditure_kzt, spent_kzt, remaining_kzt, held_by_implementer_kzt, budget_kzt); for an
  outcome max_score, threshold, then baseline_/endline_ pupils, schools, mean, mean_low,
  mean_high, share_at_or_above_threshold, and matched_pupils, matched_schools, gain,
  gain_low, gain_high, effect_size_d(_low/_high), difference_in_differences(_low/_high);
  for cabinets and development the report's own names (working, faults_open, ...).
- `value`: the number as the JSON report has it (a decimal exactly as written), a date as
  YYYY-MM-DD; empty where the report has null (nothing to divide, no interval).
- `unit`: count, percent (an indicator's value in %), ratio (0.667 is two thirds), KZT,
  score (test points), sd (standard deviations), days, Mbps or date.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any, Iterator

from services.reporting.api.render.names import category_name, readably, subject_name
from services.reporting.api.render.splits import district_name
from services.reporting.api.render.spreadsheet import csv_cell
from services.reporting.figures import catalogue

COLUMNS = ["section", "figure", "label", "breakdown", "breakdown_label", "measure", "value",
           "unit"]
Row = list[Any]

INDICATOR_MEASURES = ("baseline", "target", "actual", "numerator", "denominator",
                      "share_reached", "progress_from_baseline", "period_end")
MONEY_MEASURES = ("committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt",
                  "spent_kzt", "remaining_kzt", "held_by_implementer_kzt")
ROUND_MEASURES = (("pupils", "count"), ("schools", "count"), ("mean", "score"),
                  ("mean_low", "score"), ("mean_high", "score"),
                  ("share_at_or_above_threshold", "ratio"))
MATCHED_MEASURES = (("matched_pupils", "count"), ("matched_schools", "count"),
                    ("gain", "score"), ("effect_size_d", "sd"),
                    ("difference_in_differences", "score"))
CABINET_UNITS = {"internet_need_mbps": "Mbps", "internet_mbps_median": "Mbps",
                 "days_to_resolve_median": "days", "days_to_resolve_max": "days"}
WORDS = {
    "money": {"kk": "Қаржы, теңге", "ru": "Финансы, тенге", "en": "Money, KZT"},
    "programme": {"kk": "бағдарлама бойынша барлығы", "ru": "всего по программе",
                  "en": "programme total"},
    "spent_by_category": {"kk": "Санат бойынша жұмсалғаны", "ru": "Расходы по статьям",
                          "en": "Spent by category"},
    "cabinets": {"kk": "Кабинеттердің жұмыс күйі", "ru": "Рабочее состояние кабинетов",
                 "en": "Cabinets' working state"},
    "development": {"kk": "Мектептердің дамуы: стратегиялар, жобалар, серіктестер",
                    "ru": "Развитие школ: стратегии, проекты, партнёры",
                    "en": "Schools' development: strategies, projects, partners"},
    "grade": {"kk": "{grade}-сынып", "ru": "{grade} класс", "en": "grade {grade}"},
    "all": {"kk": "барлық мектептер", "ru": "все школы", "en": "all schools"},
    "small_class": {"kk": "шағын жинақты мектептер", "ru": "малокомплектные школы",
                    "en": "small-class schools"},
    "other": {"kk": "басқа мектептер", "ru": "остальные школы", "en": "other schools"},
    "comparison": {"kk": "салыстыру тобы", "ru": "группа сравнения",
                   "en": "comparison group"},
}


def report_csv(report: dict[str, Any], lang: str = "kk") -> str:
    """The report as one long table (the module's docstring names its columns)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for section in (_indicators, _money, _spending, _outcomes, _cabinets, _development):
        writer.writerows([csv_cell(_plain(v)) for v in row] for row in section(report, lang))
    return out.getvalue()


def _plain(value: Any) -> Any:
    """A cell as the JSON report writes it: a date as YYYY-MM-DD, null as empty."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


def _indicators(report: dict[str, Any], lang: str) -> Iterator[Row]:
    for line in report["indicators"]:
        name = line["indicator"]
        level = "percent" if line["measure"] == "percentage" else "count"
        units = {"numerator": "count", "denominator": "count", "share_reached": "ratio",
                 "progress_from_baseline": "ratio", "period_end": "date"}
        for measure in INDICATOR_MEASURES:
            if measure in line:
                yield ["indicators", name, catalogue.label(name, lang), "", "", measure,
                       line[measure], units.get(measure, level)]


def _money(report: dict[str, Any], lang: str) -> Iterator[Row]:
    money, label = report["money"], WORDS["money"][lang]
    programme = WORDS["programme"][lang]
    for measure in ("budget_kzt", *MONEY_MEASURES):
        if measure in money:
            yield ["money", "money", label, "", programme, measure, money[measure], "KZT"]
    for line in money["commitments"]:
        part, words = _commitment(line, lang)
        for measure in MONEY_MEASURES:
            if measure in line:
                yield ["money", "money", label, part, words, measure, line[measure], "KZT"]


def _commitment(line: dict[str, Any], lang: str) -> tuple[str, str]:
    funder = line.get(f"funder_name_{lang}") or line.get("funder_name_ru") or line["funder_id"]
    return f"commitment:{line['commitment_id']}", f"{funder} ({line['scope']})"


def _spending(report: dict[str, Any], lang: str) -> Iterator[Row]:
    label = WORDS["spent_by_category"][lang]
    for category, amount in report["money"]["spent_by_category"].items():
        yield ["spending", "spent_by_category", label, f"category:{category}",
               category_name(category, lang), "spent_kzt", amount, "KZT"]
    for line in report["money"]["commitments"]:
        part, words = _commitment(line, lang)
        for category, amount in (line.get("spent_by_category") or {}).items():
            yield ["spending", "spent_by_category", label, f"{part};category:{category}",
                   f"{words}: {category_name(category, lang)}", "spent_kzt", amount, "KZT"]


def _outcomes(report: dict[str, Any], lang: str) -> Iterator[Row]:
    for o in report["learning_outcomes"]:
        head = ["learning_outcomes", o["subject"], subject_name(o["subject"], lang),
                f"grade:{o['grade']};split:{o['split']};"
                f"rounds:{o['baseline_round_id']}/{o['endline_round_id']}",
                f"{WORDS['grade'][lang].format(grade=o['grade'])}, {_split_name(o, lang)}"]
        for measure in ("max_score", "threshold"):
            if o.get(measure) is not None:
                yield [*head, measure, o[measure], "score"]
        for phase in ("baseline", "endline"):
            figures = dict(o.get(phase) or {})
            if not figures:
                continue
            figures["mean_low"], figures["mean_high"] = figures.get("mean_ci") or (None, None)
            for measure, unit in ROUND_MEASURES:
                yield [*head, f"{phase}_{measure}", figures.get(measure), unit]
        for measure, unit in MATCHED_MEASURES:
            if measure not in o:
                continue
            yield [*head, measure, o[measure], unit]
            low, high = o.get(f"{measure}_ci") or (None, None)
            if measure not in ("matched_pupils", "matched_schools"):
                yield [*head, f"{measure}_low", low, unit]
                yield [*head, f"{measure}_high", high, unit]


def _split_name(outcome: dict[str, Any], lang: str) -> str:
    split = outcome["split"]
    if split.startswith("district:"):
        # As the dashboard says it: a name the classifier lacks, as places.unnamed says it.
        return district_name(outcome, lang, split.split(":", 1)[1])[0]
    if split.startswith("model:"):
        return readably(split.split(":", 1)[1])
    return WORDS[split][lang] if split in WORDS else readably(split)


def _cabinets(report: dict[str, Any], lang: str) -> Iterator[Row]:
    for measure, value in _counts(report.get("cabinets")):
        yield ["cabinets", "cabinets", WORDS["cabinets"][lang], "", "", measure, value,
               CABINET_UNITS.get(measure, "count")]


def _development(report: dict[str, Any], lang: str) -> Iterator[Row]:
    for measure, value in _counts(report.get("development")):
        yield ["development", "development", WORDS["development"][lang], "", "", measure,
               value, "count"]


def _counts(section: dict[str, Any] | None) -> Iterator[tuple[str, Any]]:
    """A section's totals (its lists, per school or organisation, are the drill-downs')."""
    for measure, value in (section or {}).items():
        if not isinstance(value, (list, dict)):
            yield measure, value


def rows_csv(lines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if lines:
        writer = csv.DictWriter(out, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in line.items()} for line in lines)
    return out.getvalue()
