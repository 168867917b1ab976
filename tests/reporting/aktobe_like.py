"""A report as GET /v1/programmes/aktobe-small-schools/report gives it, built by hand from
the report's shapes with the Aktobe pilot's sizes (134 schools, 155 cabinets, two funders,
three subjects in three grades, two districts the classifier lacks), and an Uralsk-like
development section: what the dashboard's tests and screenshots draw."""

from __future__ import annotations

import random
from datetime import date

DISTRICTS = [("1520", "Әйтеке би ауданы", "Айтекебийский район", "Aiteke Bi district"),
             ("1522", "Алға ауданы", "Алгинский район", "Alga district"),
             ("1524", "Байғанин ауданы", "Байганинский район", "Baiganin district"),
             ("1530", "Қарғалы ауданы", "Каргалинский район", "Kargaly district"),
             ("1532", "Қобда ауданы", "Хобдинский район", "Kobda district"),
             ("1534", "Мәртөк ауданы", "Мартукский район", "Martuk district"),
             ("1536", "Мұғалжар ауданы", "Мугалжарский район", "Mugalzhar district"),
             ("1540", None, None, None), ("1542", "Темір ауданы", "Темирский район",
                                          "Temir district"),
             ("1544", None, None, None),
             ("1546", "Хромтау ауданы", "Хромтауский район", "Khromtau district"),
             ("1548", "Шалқар ауданы", "Шалкарский район", "Shalkar district")]
SUBJECTS = ("math", "kazakh_language", "natural_science")
MODELS = ("streaming", "online_teaching", "hub_and_magnet", "digital_solutions")


def months(first: str, count: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def line(name, measure, baseline, target, actual, share, progress, points, **parts):
    return {"indicator": name, "measure": measure, "baseline": baseline, "target": target,
            "period_end": date(2024, 12, 31), "actual": actual, **parts,
            "share_reached": share, "progress_from_baseline": progress,
            "progress": [{"month": m, "actual": v} for m, v in points]}


def ramp(total: int, months_: list[str], start: int = 0) -> list[tuple[str, int]]:
    return [(m, start + (total - start) * (i + 1) // len(months_)) for i, m in
            enumerate(months_)]


def indicators() -> list[dict]:
    calendar = months("2023-01", 24)
    share = [(m, f"{60 + 10 * (i + 1) / 24:.1f}") for i, m in enumerate(calendar)]
    return [
        line("cabinets_commissioned", "count", "0", "155", 155, "1.000", "1.000",
             ramp(155, calendar)),
        line("pupils_reached", "count", "0", "10500", 10486, "0.999", "0.999",
             ramp(10486, calendar)),
        line("schools_equipped", "count", "0", "134", 134, "1.000", "1.000",
             ramp(134, calendar)),
        line("teachers_trained", "count", "0", "576", 540, "0.938", "0.938",
             ramp(540, calendar)),
        line("teachers_with_category_share", "percentage", "60", "75", "70.0", "0.933",
             "0.667", share, numerator=336, denominator=480)]


def money() -> dict:
    commitments = [
        {"commitment_id": "AKT-AKIMAT-2023", "funder_id": "akimat-aktobe", "scope": "programme",
         "committed_kzt": 1_999_056_746, "disbursed_kzt": 1_799_151_070, "procured_kzt": 0,
         "expenditure_kzt": 171_300_000, "spent_kzt": 171_300_000,
         "remaining_kzt": 1_827_756_746, "held_by_implementer_kzt": 1_627_851_070,
         "spent_by_category": {"seminars": 96_000_000, "assessment": 54_300_000,
                               "administration": 21_000_000},
         "funder_name_kk": "Ақтөбе облысының әкімдігі",
         "funder_name_ru": "Акимат Актюбинской области",
         "funder_name_en": "Akimat of Aktobe Region"},
        {"commitment_id": "AKT-QH-EQUIPMENT", "funder_id": "qazaqstan-halqyna",
         "scope": "equipment", "committed_kzt": 2_064_199_025,
         "disbursed_kzt": 2_064_199_025, "procured_kzt": 2_064_199_025,
         "expenditure_kzt": 0, "spent_kzt": 2_064_199_025, "remaining_kzt": 0,
         "held_by_implementer_kzt": 0, "spent_by_category": {},
         "funder_name_kk": "«Қазақстан халқына» қоғамдық қоры",
         "funder_name_ru": "Общественный фонд «Қазақстан халқына»",
         "funder_name_en": "Qazaqstan Halqyna public fund"}]
    keys = ("committed_kzt", "disbursed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt",
            "remaining_kzt", "held_by_implementer_kzt")
    return {"budget_kzt": 4_063_255_771, **{k: sum(c[k] for c in commitments) for k in keys},
            "spent_by_category": {"administration": 21_000_000, "assessment": 54_300_000,
                                  "seminars": 96_000_000},
            "commitments": commitments}


def district_names(code: str) -> dict:
    _, kk, ru, en = next(d for d in DISTRICTS if d[0] == code)
    return {"district_code": code, "district_name_kk": kk, "district_name_ru": ru,
            "district_name_en": en, "name_known": kk is not None}


def cabinets(rng: random.Random) -> dict:
    schools = []
    for n in range(1, 135):
        code = DISTRICTS[n % len(DISTRICTS)][0]
        count = 2 if n <= 21 else 1
        speed = min(200.0, round(rng.lognormvariate(2.3, 0.8), 1))
        faults_open = 1 if n in (17, 88) else 0
        schools.append({"organisation_id": f"AKT-{n:03d}",
                        "name_ru": f"Малокомплектная школа № {n}", **district_names(code),
                        "cabinets": count, "commissioned": count,
                        "working": count - faults_open, "faults_open": faults_open,
                        "faults_resolved": 1 if n in (3, 9, 40, 61, 77, 102, 130) else 0,
                        "internet_mbps": f"{speed}"})
    schools.sort(key=lambda s: (-s["faults_open"], float(s["internet_mbps"]),
                                s["organisation_id"]))
    below = [s for s in schools if float(s["internet_mbps"]) < 10]
    return {"internet_need_mbps": "10", "allocated": 155, "delivered": 155,
            "commissioned": 155, "working": 153, "faults_reported": 9, "faults_open": 2,
            "faults_resolved": 7, "days_to_resolve_median": "2.0", "days_to_resolve_max": 6,
            "internet_mbps_median": "9.9", "cabinets_below_need": 78,
            "schools_below_need": len(below), "schools": schools}


def outcome(rng, grade, subject, split, **extra) -> dict:
    gain = round(rng.uniform(0.8, 3.2), 3) if split != "comparison" else 0.6
    base = round(rng.uniform(15, 20), 1)
    return {"pair": "AKT-2023-24-ENDLINE", "endline_round_id": "AKT-2023-24-ENDLINE",
            "grade": grade, "subject": subject, "split": split, "max_score": 40,
            "threshold": 20,
            "baseline": {"pupils": 900, "schools": 60, "mean": f"{base}",
                         "mean_ci": [f"{base - 0.6:.1f}", f"{base + 0.6:.1f}"],
                         "share_at_or_above_threshold": "0.412"},
            "endline": {"pupils": 880, "schools": 60, "mean": f"{base + gain:.1f}",
                        "mean_ci": [f"{base + gain - 0.6:.1f}", f"{base + gain + 0.6:.1f}"],
                        "share_at_or_above_threshold": "0.587"},
            "gain": f"{gain:.3f}", "gain_ci": [f"{gain - 0.5:.3f}", f"{gain + 0.5:.3f}"],
            "matched_pupils": 850, "matched_schools": 60,
            "effect_size_d": f"{gain / 6:.3f}", **extra}


def learning_outcomes(rng: random.Random) -> list[dict]:
    out = []
    for grade in (6, 8, 10):
        for subject in SUBJECTS:
            out.append(outcome(rng, grade, subject, "all", difference_in_differences="1.400",
                               difference_in_differences_ci=["0.700", "2.100"]))
            out += [outcome(rng, grade, subject, f"model:{m}",
                            difference_in_differences="1.100",
                            difference_in_differences_ci=["0.200", "2.000"])
                    for m in MODELS[:2]]
            out.append(outcome(rng, grade, subject, "comparison"))
            out += [outcome(rng, grade, subject, s) for s in ("small_class", "other")]
            out += [outcome(rng, grade, subject, f"district:{code}",
                            **{k: v for k, v in district_names(code).items()
                               if k.startswith("district_name")})
                    for code, *_ in DISTRICTS[:5] + DISTRICTS[7:8]]
    return out


def development() -> dict:
    return {"strategies_adopted": 2, "projects": 3, "partners": 2, "memoranda": 2,
            "organisations": [
                {"organisation_id": "URL-001", "name_ru": "Школа-гимназия № 9 г. Уральска",
                 "district_code": "2710", "district_name_kk": "Орал қ.ә.",
                 "district_name_ru": "г.а. Уральск", "district_name_en": "Uralsk city",
                 "name_known": True,
                 "strategy": {"strategy_id": "S-1", "title": "Школа равных возможностей",
                              "adopted_on": "2024-10-01", "valid_until": "2027-08-31"},
                 "projects": [{"project_id": "P-1", "title": "Читательский клуб",
                               "launched_on": "2024-11-15"},
                              {"project_id": "P-2", "title": "STEM-лаборатория",
                               "launched_on": "2025-02-01"}],
                 "partners": [{"partnership_id": "M-1", "partner_name": "ЗКАТУ им. Жангир хана",
                               "partner_kind": "university", "signed_on": "2024-12-10",
                               "purpose": "Практика студентов и STEM-кружки",
                               "memorandum_ref": "12/24"}]},
                {"organisation_id": "URL-014", "name_ru": "СОШ № 14", "district_code": "2710",
                 "district_name_kk": "Орал қ.ә.", "district_name_ru": "г.а. Уральск",
                 "district_name_en": "Uralsk city", "name_known": True,
                 "strategy": {"strategy_id": "S-2", "title": "Школа-лидер",
                              "adopted_on": "2024-09-20", "valid_until": None},
                 "projects": [{"project_id": "P-3", "title": "Наставничество",
                               "launched_on": "2024-10-05"}],
                 "partners": [{"partnership_id": "M-2", "partner_name": "ТОО «Батыс Agro»",
                               "partner_kind": "business", "signed_on": "2025-01-20",
                               "purpose": "Оснащение кабинета биологии",
                               "memorandum_ref": "3"}]}]}


def report(with_development: bool = False) -> dict:
    rng = random.Random(33)
    return {"programme_id": "aktobe-small-schools",
            "name_kk": "Ақтөбе шағын жинақты мектептер пилоты",
            "name_ru": "Пилот малокомплектных школ Актюбинской области",
            "name_en": "Aktobe small-school pilot",
            "period": {"start": date(2023, 1, 1), "end": date(2024, 12, 31)},
            "indicators": indicators(), "money": money(), "cabinets": cabinets(rng),
            "learning_outcomes": learning_outcomes(rng), "diffusion": [], "approval": None,
            "development": development() if with_development else {
                "strategies_adopted": 0, "projects": 0, "partners": 0, "memoranda": 0,
                "organisations": []}}


def district_lines(lang: str) -> list[dict]:
    """The districts' drill-down as places.in_language gives it to the page."""
    index = {"kk": 1, "ru": 2, "en": 3}[lang]
    return [{"district_code": d[0], "district_name": d[index] or d[0],
             "name_known": d[1] is not None, "region_code": "15",
             "region_name": {"kk": "Ақтөбе облысы", "ru": "Актюбинская область",
                             "en": "Aktobe Region"}[lang], "region_name_known": True,
             "organisations": 11, "pupils": 870, "participants_trained": 48, "cabinets": 13,
             "cabinets_commissioned": 13, "pupils_assessed": 610} for d in DISTRICTS]
