"""The other seed programmes' training as the systems that hold it would export it
(deterministic; ids invented and opaque; the `full_name` column is a placeholder that the
imports never send).

- Uralsk school accelerator: the management teams of 33 schools, 45 preschools and 7
  further-education organisations take «Басқарудың жаңа моделі»; 910 teachers complete the
  «Ұлттық ұстаз» online academy (940 enrol, 30 drop out).
- Kyzylorda «Серіктес директорлар» league: the 30 league directors attend the league's
  sessions; 20 league schools publish a practice each under 20 directions, adopted within
  the school year by the 100 partner schools (some partners adopt two: 100 schools, more
  adoptions).
- Aktobe small-school pilot: its teachers' professional development (ICT skills; practical
  and laboratory work in physics, chemistry and biology) and their qualification categories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

URALSK, KYZYLORDA, AKTOBE = "uralsk-accelerator", "kyzylorda-partner-directors", \
    "aktobe-small-schools"
URALSK_ORGS = ([f"URL-SCH-{n:02d}" for n in range(1, 34)]
               + [f"URL-PRE-{n:02d}" for n in range(1, 46)]
               + [f"URL-FUR-{n:02d}" for n in range(1, 8)])
LEAGUE = [f"KZO-LEAGUE-{n:02d}" for n in range(1, 31)]
PARTNERS = [f"KZO-PARTNER-{n:03d}" for n in range(1, 101)]
AKTOBE_SCHOOLS = [f"AKT-{n:03d}" for n in range(1, 135)]
DIRECTIONS = [
    ("ECO-GREEN", "Экология", "Жылыжай және қалдықтан биоотын"),
    ("CRAFT-FAIR", "Қолөнер және қайырымдылық", "Қайырымдылық қолөнер жәрмеңкесі"),
    ("FATHERS", "Отбасы", "«Әкелер академиясы»"),
    ("GRANDMOTHERS", "Отбасы және дәстүр", "«Әжелер академиясы»"),
    ("SELF-GOV", "Оқушылардың өзін-өзі басқаруы", "Мектеп парламенті"),
    ("ENTREPRENEURS", "Кәсіпкерлік", "Жас кәсіпкерлер мектебі"),
    ("YOUNG-PRO", "Жас мамандар", "«Жас маман. Озат тәжірибе»"),
    ("IT-DIGITAL", "Цифрлық сауат", "«IT Digital» студиясы"),
    ("METEO", "Зерттеу", "«Метеорология» зерттеу алаңы"),
    ("READING", "Оқу сауаттылығы", "Жаңа кітап сөрелері"),
    ("INCLUSION", "Инклюзивті білім", "Ерекше қажеттілігі бар 43 оқушыға арналған сабақ"),
    ("STEM-LAB", "STEM", "Ауыл мектебіндегі STEM зертханасы"),
    ("CHESS", "Интеллектуалды ойындар", "Шахмат мектебі"),
    ("LOCAL-HIST", "Өлкетану", "Мектеп мұражайы"),
    ("SPORT", "Денсаулық", "Таңғы жаттығу қозғалысы"),
    ("MEDIATION", "Мектеп медиациясы", "Бітімгершілік қызметі"),
    ("PARENTS", "Ата-аналармен жұмыс", "Ата-аналар мектебі"),
    ("TRILINGUAL", "Үштілділік", "Тіл клубтары"),
    ("CAREER", "Кәсіптік бағдар", "Мамандықтар апталығы"),
    ("MENTORING", "Тәлімгерлік", "Жас мұғалімге тәлімгер"),
]
COURSES = [
    dict(programme_id=URALSK, code="URL-BZHM", title="«Басқарудың жаңа моделі»",
         subject="management", format="blended", audience="manager", planned_hours="72",
         completion_hours="60", provider="Орал қалалық білім бөлімі"),
    dict(programme_id=URALSK, code="URL-UU", title="«Ұлттық ұстаз» онлайн академиясы",
         subject="pedagogy", format="online", audience="teacher", planned_hours="80",
         completion_hours="72", provider="«Ұлттық ұстаз» академиясы"),
    dict(programme_id=KYZYLORDA, code="KZO-LEAGUE", title="«Серіктес директорлар» лигасы",
         subject="management", format="seminar", audience="manager", planned_hours="40",
         completion_hours="32", provider="Қызылорда облыстық білім басқармасы"),
    dict(programme_id=AKTOBE, code="AKT-ICT", title="ICT skills for small-school teachers",
         subject="digital", format="online", audience="teacher", planned_hours="36",
         completion_hours="30", provider="Ақтөбе педагогикалық шеберлік орталығы"),
    dict(programme_id=AKTOBE, code="AKT-LAB",
         title="Practical and laboratory work in physics, chemistry and biology",
         subject="stem", format="blended", audience="teacher", planned_hours="48",
         completion_hours="40", provider="Ақтөбе педагогикалық шеберлік орталығы"),
]
ACADEMY_COLUMNS = ["participant_id", "full_name", "organisation_id", "course_code", "role",
                   "management_team_id", "enrolled_on", "hours", "completed_on",
                   "dropped_on", "drop_reason"]
PRACTICE_COLUMNS = ["practice_code", "direction", "title", "publishing_school",
                    "published_on", "adopting_school", "adopted_on"]


@dataclass
class Seed:
    exports: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # programme ->
    practices: list[dict[str, str]] = field(default_factory=list)
    attestations: list[dict[str, str]] = field(default_factory=list)


def _participant(rng: random.Random, pid: str, org: str, code: str, start: date,
                 hours: int, drops: bool, team: str = "") -> dict[str, str]:
    enrolled = start + timedelta(days=rng.randrange(0, 10))
    ended = enrolled + timedelta(days=rng.randint(30, 90))
    return {"participant_id": pid, "full_name": "(not sent)", "organisation_id": org,
            "course_code": code, "role": "manager" if team else "teacher",
            "management_team_id": team, "enrolled_on": str(enrolled),
            "hours": str(hours // 3 if drops else hours),
            "completed_on": "" if drops else str(ended),
            "dropped_on": str(ended) if drops else "",
            "drop_reason": "left the programme" if drops else ""}


def generate(seed: int = 2025) -> Seed:
    rng = random.Random(seed)
    out = Seed()
    start = date(2024, 9, 9)
    uralsk = [_participant(rng, f"URL-MGR-{n:03d}-{k}", org, "URL-BZHM", start, 64, False,
                           f"MT-{org}") for n, org in enumerate(URALSK_ORGS, 1) for k in (1, 2)]
    teachers = [f"URL-TCH-{n:04d}" for n in range(1, 941)]
    dropouts = set(rng.sample(teachers, 30))
    uralsk += [_participant(rng, t, rng.choice(URALSK_ORGS), "URL-UU", start, 76,
                            t in dropouts) for t in teachers]
    out.exports[URALSK] = uralsk
    out.exports[KYZYLORDA] = [_participant(rng, f"KZO-DIR-{n:02d}", school, "KZO-LEAGUE",
                                           start, 36, False, f"MT-{school}")
                              for n, school in enumerate(LEAGUE, 1)]
    aktobe = [f"AKT-TCH-{n:04d}" for n in range(1, 601)]
    gone = set(rng.sample(aktobe, 24))
    out.exports[AKTOBE] = [_participant(rng, t, AKTOBE_SCHOOLS[n % 134],
                                        ("AKT-ICT", "AKT-LAB")[n % 2], date(2023, 10, 2),
                                        (34, 44)[n % 2], t in gone)
                           for n, t in enumerate(aktobe)]
    # 60 % of the small schools' teachers hold a category at the start; 60 more are attested
    # after the courses.
    for n, teacher in enumerate(aktobe):
        if n % 5 < 3 or n % 5 == 3 and n % 10 == 3:
            out.attestations.append(dict(
                teacher_id=teacher, category="педагог-модератор" if n % 5 < 3 else "педагог",
                attested_on="2023-05-20" if n % 5 < 3 else "2024-05-25",
                school_id=AKTOBE_SCHOOLS[n % 134], programme_id=AKTOBE))
    hubs = LEAGUE[:20]
    for n, (code, direction, title) in enumerate(DIRECTIONS):
        publisher = hubs[n]
        published = date(2024, 10, 1) + timedelta(days=n)
        adopters = PARTNERS[5 * n:5 * n + 5] + ([PARTNERS[(5 * n + 50) % 100]] if n < 10 else [])
        for school in adopters:
            out.practices.append({
                "practice_code": code, "direction": direction, "title": title,
                "publishing_school": publisher, "published_on": str(published),
                "adopting_school": school,
                "adopted_on": str(published + timedelta(days=rng.randint(20, 200)))})
    return out
