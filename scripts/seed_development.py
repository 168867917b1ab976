"""The Uralsk accelerator's schools' development, as a programme officer's three spreadsheets
(deterministic; ids invented and opaque, partners' names public bodies' or invented firms'):

- the 33 schools whose management teams took «Басқарудың жаңа моделі»: 29 adopted a
  development strategy in the programme's year, 4 have not yet;
- each school with a strategy launched 1-3 projects serving it; two of the others launched
  one before having any;
- 41 memoranda with partners drawn in: local firms, NGOs, the regional university, the city
  akimat, a partner school and the children's library.

`load` writes the files and sends them through `baqylau import strategies|projects|
partnerships` (in the demo as the schools' system, the school-data role).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cli.importers import development as import_development
from cli.importers.kinds import KINDS
from cli.importers.runner import read_table
from scripts.calls import Importing, same_proxy
from scripts.seed_files import SEED_DIR, write_csv, write_xlsx

PROGRAMME = "uralsk-accelerator"
SCHOOLS = [f"URL-SCH-{n:02d}" for n in range(1, 34)]
WITHOUT_STRATEGY = 4
YEAR_START, YEAR_END = date(2024, 10, 14), date(2025, 8, 15)  # after the course began

MOTTOS = [("kk", "«Әр баланың табысы»"), ("ru", "«Успех каждого ребёнка»"),
          ("kk", "«Оқитын мектеп»"), ("ru", "«Школа, которая учится»"),
          ("kk", "«Цифрлық мектеп»"), ("ru", "«Школа равных возможностей»"),
          ("kk", "«Жасыл мектеп»"), ("ru", "«Открытая школа»"),
          ("kk", "«Сапалы білім — болашақ кепілі»")]
PROJECTS = ["«Оқитын мектеп» кәсіби қоғамдастығы", "Робототехника және STEM үйірмесі",
            "Функционалдық оқу сауаттылығы клубы", "Мектеп медиация қызметі",
            "Школьный технопарк «Zhaiyq Tech»", "Инклюзивный ресурсный кабинет",
            "Ата-аналар мектебі", "Кәсіптік бағдар орталығы «Мамандық әлемі»",
            "Школьная медиатека", "«Жасыл мектеп» экологиялық жобасы",
            "Наставничество молодых педагогов", "Мектеп парламенті",
            "«Шешендер» пікірсайыс клубы", "Летняя школа функциональной грамотности",
            "«Жігер» мектеп спорт клубы", "Үштілділік тіл клубтары",
            "Служба психолого-педагогической поддержки", "Мектеп мұражайы: өлкетану",
            "Проект «Читающая школа»", "Цифрлық портфолио және электронды күнделік"]
# (partner, kind, how many schools signed with it, what for)
PARTNERS = [
    ("М. Өтемісов атындағы Батыс Қазақстан университеті", "university", 9,
     "Студенттердің педагогикалық практикасы және жас мұғалімдерге тәлімгерлік"),
    ("Орал қаласының әкімдігі", "government", 6,
     "Мектеп жобаларын қолдау және мектеп аумағын абаттандыру"),
    ("ТОО «Жайық Агро Трейд»", "business", 2,
     "Экскурсии на предприятие и профориентация старшеклассников"),
    ("«Батыс Тех» ЖШС", "business", 3, "Мектеп технопаркіне демеушілік және IT тағылымдама"),
    ("ТОО «Орал Құрылыс»", "business", 2, "Ремонт и оснащение кабинетов технологии"),
    ("«Ақжайық Баспа» ЖК", "business", 1, "Мектеп газеті мен жинақтарын басып шығару"),
    ("ТОО «Западный логистический центр»", "business", 2,
     "Профориентация: дни открытых дверей и стажировки"),
    ("«Нұр Медиа Орал» ЖШС", "business", 1, "Мектеп медиа-студиясын ашуға көмек"),
    ("ТОО «Uralsk Digital»", "business", 2, "Кружок программирования и хакатоны"),
    ("«Жас Өркен» қоғамдық бірлестігі", "ngo", 3, "Волонтёрлық және қайырымдылық акциялары"),
    ("Общественное объединение «Родители Приуралья»", "ngo", 2,
     "Школа для родителей и семейные мероприятия"),
    ("«Таза Жайық» экологиялық қоры", "ngo", 2, "Экологиялық акциялар мен жасыл аула"),
    ("Молодёжный ресурсный центр «Жастар»", "ngo", 1, "Дебатные турниры и лидерство"),
    ("Назарбаев Зияткерлік мектебі (Орал қ.)", "school", 3,
     "Олимпиадаға дайындық және мұғалімдердің тәжірибе алмасуы"),
    ("Батыс Қазақстан облыстық балалар кітапханасы", "other", 2,
     "Оқу сауаттылығы бойынша бірлескен іс-шаралар"),
]
STRATEGY_COLUMNS = [*import_development.STRATEGY_COLUMNS, *import_development.STRATEGY_OPTIONAL]
PROJECT_COLUMNS = [*import_development.PROJECT_COLUMNS, *import_development.PROJECT_OPTIONAL]
PARTNERSHIP_COLUMNS = import_development.PARTNERSHIP_COLUMNS


@dataclass
class DevelopmentSeed:
    strategies: list[dict[str, str]] = field(default_factory=list)
    projects: list[dict[str, str]] = field(default_factory=list)
    partnerships: list[dict[str, str]] = field(default_factory=list)


def _day(rng: random.Random, first: date, last: date = YEAR_END) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _strategy(rng: random.Random, school: str, n: int) -> dict[str, str]:
    adopted = _day(rng, YEAR_START, date(2025, 5, 30))
    language, motto = MOTTOS[n % len(MOTTOS)]
    first, last = adopted.year, adopted.year + 3
    title = (f"Мектептің {first}–{last} жылдарға арналған даму стратегиясы {motto}"
             if language == "kk" else f"Стратегия развития школы на {first}–{last} годы {motto}")
    open_ended = n % 11 == 5  # a few are adopted without an end date
    return {"strategy_id": f"{school}-STR", "organisation_id": school, "title": title,
            "adopted_on": str(adopted),
            "valid_until": "" if open_ended else str(date(last, 8, 31))}


def _projects(rng: random.Random, school: str, strategy: dict[str, str] | None,
              count: int) -> list[dict[str, str]]:
    first = date.fromisoformat(strategy["adopted_on"]) + timedelta(days=7) if strategy \
        else YEAR_START
    return [{"project_id": f"{school}-P{k}", "organisation_id": school, "title": title,
             "launched_on": str(_day(rng, first)),
             "strategy_id": strategy["strategy_id"] if strategy else ""}
            for k, title in enumerate(rng.sample(PROJECTS, count), start=1)]


def _partnerships(rng: random.Random) -> list[dict[str, str]]:
    signed: dict[str, int] = {}  # school -> memoranda so far, for the ids
    out = []
    for name, kind, schools, purpose in PARTNERS:
        for school in sorted(rng.sample(SCHOOLS, schools)):
            signed[school] = signed.get(school, 0) + 1
            day = _day(rng, YEAR_START)
            out.append({"partnership_id": f"{school}-M{signed[school]}",
                        "organisation_id": school, "partner_name": name,
                        "partner_kind": kind, "signed_on": str(day), "purpose": purpose,
                        "memorandum_ref": f"{rng.randint(2, 60)}-М/{day.year}"})
    return out


def generate(seed: int = 2024) -> DevelopmentSeed:
    rng = random.Random(seed)
    out = DevelopmentSeed()
    not_yet = set(rng.sample(SCHOOLS, WITHOUT_STRATEGY))
    for n, school in enumerate(SCHOOLS):
        if school in not_yet:
            continue
        strategy = _strategy(rng, school, n)
        out.strategies.append(strategy)
        out.projects += _projects(rng, school, strategy, rng.randint(1, 3))
    for school in sorted(not_yet)[:2]:  # begun before any strategy
        out.projects += _projects(rng, school, None, 1)
    out.partnerships = _partnerships(rng)
    return out


def load(rpc: Any, importing: Importing | None = None) -> None:
    """Write the three files and import them, strategies first (projects name them);
    `importing(path)`: the proxy a file is sent through, else `rpc`."""
    importing = importing or same_proxy(rpc)
    seed = generate()
    files = [("strategies", write_xlsx(seed.strategies, STRATEGY_COLUMNS,
                                       SEED_DIR / "uralsk-strategies.xlsx")),
             ("projects", write_csv(seed.projects, PROJECT_COLUMNS,
                                    SEED_DIR / "uralsk-projects.csv")),
             ("partnerships", write_csv(seed.partnerships, PARTNERSHIP_COLUMNS,
                                        SEED_DIR / "uralsk-partnerships.csv"))]
    for kind, path in files:
        rows, _ = read_table(path, KINDS[kind].columns, KINDS[kind].optional)
        with importing(path) as sending:
            report = import_development.import_rows(sending.registry, kind, PROGRAMME, rows,
                                                    path.name[:22])
        print(f"  {path.name}: {report.summary()}")
        if report.rejected:
            raise SystemExit(f"{kind} rows rejected: {report.rejected[:3]}")

