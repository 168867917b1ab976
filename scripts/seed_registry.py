"""The four seed programmes' reference data: a deterministic generator (fixed seed).

Organisation names are invented, BINs and KATO codes are well-formed (check digit, known
region and district), money is in whole tenge. The Aktobe pilot follows the published
figures: 134 small rural schools, 21 of them with more than 80 pupils and 113 with 80 or
fewer, 10,500 pupils in school year 2023-2024, a budget of 4,063,255,771 KZT of which the
«Қазақстан халқына» fund commits 2,064,199,025 KZT for equipment. Amounts the sources do not
give (other funders' shares, other programmes' budgets) are illustrative.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.kz_bin import check_digit

CSV_COLUMNS = ["organisation_id", "bin", "kind", "name_kk", "name_ru", "name_en", "kato",
               "locality", "small_class", "pupils", "teachers", "network_role"]
FIRST_YEAR, SECOND_YEAR = "2023-2024", "2024-2025"
AKTOBE_PUPILS = 10_500
AKTOBE_LARGER, AKTOBE_SMALLER = 21, 113
# The pilot tries four development models, each school under one; taken in turn, so that
# every model has about a quarter of the schools of each size and district.
AKTOBE_MODELS = ("streaming", "online_teaching", "hub_and_magnet", "digital_solutions")
# The region has 204 small-class schools; the 70 outside the pilot are its comparison group,
# registered and assessed in the pilot's rounds but not joined to it.
AKTOBE_COMPARISON = 70

FUNDERS = [
    dict(funder_id="amanat", name_kk="AMANAT партиясы", name_ru="Партия AMANAT",
         name_en="AMANAT party", organisation_type="90"),
    dict(funder_id="esen-foundation", name_kk="ESEN қоры", name_ru="Фонд ESEN",
         name_en="ESEN Foundation", organisation_type="60"),
    dict(funder_id="ansa", name_kk="AÑSA қоры", name_ru="Фонд AÑSA", name_en="AÑSA",
         organisation_type="60"),
    dict(funder_id="baquatty-aimaq-qory", name_kk="Baquatty Aimaq Qory",
         name_ru="Фонд Baquatty Aimaq Qory", name_en="Baquatty Aimaq Qory",
         organisation_type="60"),
    dict(funder_id="qazaqstan-halqyna", name_kk="«Қазақстан халқына» қоғамдық қоры",
         name_ru="Общественный фонд «Қазақстан халқына»",
         name_en="Qazaqstan Halqyna public fund", organisation_type="60"),
    dict(funder_id="akimat-aktobe", name_kk="Ақтөбе облысының әкімдігі",
         name_ru="Акимат Актюбинской области", name_en="Akimat of Aktobe Region",
         organisation_type="11"),
    dict(funder_id="akimat-west-kazakhstan", name_kk="Батыс Қазақстан облысының әкімдігі",
         name_ru="Акимат Западно-Казахстанской области",
         name_en="Akimat of West Kazakhstan Region", organisation_type="11"),
    dict(funder_id="akimat-kyzylorda", name_kk="Қызылорда облысының әкімдігі",
         name_ru="Акимат Кызылординской области", name_en="Akimat of Kyzylorda Region",
         organisation_type="11"),
    dict(funder_id="akimat-tselinograd", name_kk="Целиноград ауданының әкімдігі",
         name_ru="Акимат Целиноградского района", name_en="Akimat of Tselinograd District",
         organisation_type="11"),
    dict(funder_id="ministry-of-enlightenment", name_kk="ҚР Оқу-ағарту министрлігі",
         name_ru="Министерство просвещения РК",
         name_en="Ministry of Enlightenment of Kazakhstan", organisation_type="10"),
]

PROGRAMMES = [
    dict(programme_id="baquatty-audan", name_kk="BAQUATTY AUDAN — бақытты аудан",
         name_ru="BAQUATTY AUDAN — счастливый район",
         name_en="BAQUATTY AUDAN (Tselinograd district)", regions=["11"],
         start="2024-06-01", end="2026-05-31",
         models=["online_teaching", "streaming", "management_course"],
         budget_kzt=420_000_000),
    dict(programme_id="aktobe-small-schools", name_kk="Ақтөбе шағын жинақты мектептер пилоты",
         name_ru="Пилот малокомплектных школ Актюбинской области",
         name_en="Aktobe small-school pilot", regions=["15"],
         start="2023-01-01", end="2024-12-31",
         models=["streaming", "online_teaching", "hub_and_magnet", "digital_solutions"],
         budget_kzt=4_063_255_771),
    dict(programme_id="uralsk-accelerator", name_kk="Орал мектептер акселераторы",
         name_ru="Акселератор школ Уральска", name_en="Uralsk school accelerator",
         regions=["27"], start="2024-09-01", end="2025-08-31",
         models=["management_course", "online_teaching"], budget_kzt=310_000_000),
    dict(programme_id="kyzylorda-partner-directors", name_kk="«Серіктес директорлар» лигасы",
         name_ru="Лига «Директора-партнёры»", name_en="Kyzylorda partner-directors league",
         regions=["43"], start="2024-09-01", end="2025-08-31", models=["partner_league"],
         budget_kzt=95_000_000),
]

# (programme, commitment id, funder, scope, amount in KZT, committed on)
COMMITMENTS = [
    ("baquatty-audan", "BA-AMANAT-2024", "amanat", "training", 150_000_000, "2024-06-10"),
    ("baquatty-audan", "BA-ESEN-2024", "esen-foundation", "training", 120_000_000, "2024-06-10"),
    ("baquatty-audan", "BA-ANSA-2024", "ansa", "programme", 80_000_000, "2024-06-15"),
    ("baquatty-audan", "BA-BAQ-2024", "baquatty-aimaq-qory", "programme", 70_000_000,
     "2024-06-15"),
    ("aktobe-small-schools", "AKT-QH-EQUIPMENT", "qazaqstan-halqyna", "equipment",
     2_064_199_025, "2023-02-01"),
    ("aktobe-small-schools", "AKT-AKIMAT-2023", "akimat-aktobe", "programme", 1_999_056_746,
     "2023-02-01"),
    ("uralsk-accelerator", "URL-AKIMAT-2024", "akimat-west-kazakhstan", "training",
     310_000_000, "2024-09-02"),
    ("kyzylorda-partner-directors", "KZO-AKIMAT-2024", "akimat-kyzylorda", "training",
     95_000_000, "2024-09-02"),
]

# How each commitment is paid out: (share of it, days after the commitment). Illustrative,
# like the amounts; the equipment fund pays in one go, ahead of the procurement.
TRANCHES = {"AKT-QH-EQUIPMENT": [(100, 30)]}
TRANCHES_USUALLY = [(60, 14), (30, 120)]

# Roles other than "funding" (which a commitment gives by itself).
ROLES = [
    ("baquatty-audan", "akimat-tselinograd", "accountable"),
    ("baquatty-audan", "baquatty-aimaq-qory", "implementing"),
    ("aktobe-small-schools", "ministry-of-enlightenment", "accountable"),
    ("aktobe-small-schools", "akimat-aktobe", "implementing"),
    ("uralsk-accelerator", "akimat-west-kazakhstan", "implementing"),
    ("kyzylorda-partner-directors", "akimat-kyzylorda", "implementing"),
]

# (programme, indicator, target at the programme's end)
TARGETS = [
    ("baquatty-audan", "teachers_trained", 500), ("baquatty-audan", "management_teams_trained", 90),
    ("baquatty-audan", "trainers_certified", 40), ("baquatty-audan", "organisations_reached", 90),
    ("aktobe-small-schools", "schools_equipped", 134),
    ("aktobe-small-schools", "cabinets_delivered", 155),
    ("aktobe-small-schools", "cabinets_commissioned", 155),
    ("aktobe-small-schools", "pupils_reached", AKTOBE_PUPILS),
    ("uralsk-accelerator", "organisations_reached", 85),
    ("uralsk-accelerator", "teachers_trained", 910),
    ("uralsk-accelerator", "management_teams_trained", 85),
    ("aktobe-small-schools", "teachers_trained", 576),
    # The seed: 40 % of the small schools' teachers have no category, so 60 % at the start;
    # the 75 % aimed at is illustrative.
    ("aktobe-small-schools", "teachers_with_category_share", 75),
    ("kyzylorda-partner-directors", "managers_trained", 30),
    ("kyzylorda-partner-directors", "practices_published", 20),
    ("kyzylorda-partner-directors", "practices_adopted", 100),
]

BASELINES = {"teachers_with_category_share": "60"}  # else 0 at the start

# (Kazakh, Russian, Latin) spellings of common village names.
VILLAGES = [("Ақжар", "Акжар", "Akzhar"), ("Қарабұлақ", "Карабулак", "Karabulak"),
            ("Жаңаталап", "Жанаталап", "Zhanatalap"), ("Көктөбе", "Коктобе", "Koktobe"),
            ("Сарыбұлақ", "Сарыбулак", "Sarybulak"), ("Қайыңды", "Кайынды", "Kaiyndy"),
            ("Талдысай", "Талдысай", "Taldysai"), ("Ақсай", "Аксай", "Aksai"),
            ("Егінді", "Егинды", "Egindi"), ("Бесқопа", "Бескопа", "Beskopa"),
            ("Жарқамыс", "Жаркамыс", "Zharkamys"), ("Қызылжар", "Кызылжар", "Kyzylzhar"),
            ("Талапкер", "Талапкер", "Talapker"), ("Ақмол", "Акмол", "Akmol"),
            ("Қараөткел", "Караоткель", "Karaotkel"), ("Оразақ", "Оразак", "Orazak"),
            ("Қоянды", "Коянды", "Koyandy"), ("Шұбарсу", "Шубарсу", "Shubarsu")]
# The rural districts by their KATO codes (data/kato/README.md): Aiteke Bi, Alga, Baiganin,
# Kargaly, Kobda, Martuk, Mugalzhar, Oiyl, Temir, Irgiz, Khromtau, Shalkar. Not in code order
# on purpose: each seeded school draws its district by position in this list, so the order
# decides which school is in which district, and the demo's figures by district (and the
# tests reading them) rest on it. Reordering it moves schools, even with the same seed.
AKTOBE_DISTRICTS = ["1534", "1532", "1536", "1540", "1542", "1546", "1548", "1552", "1556",
                    "1568", "1560", "1564"]
# Aral, Zhalagash, Zhanakorgan, Kazaly, Karmakshy, Syrdarya, Shieli.
KYZYLORDA_DISTRICTS = ["4332", "4336", "4340", "4344", "4346", "4348", "4352"]


@dataclass
class RegistrySeed:
    funders: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    commitments: list[dict[str, Any]] = field(default_factory=list)
    disbursements: list[dict[str, Any]] = field(default_factory=list)
    # school year -> CSV rows (dicts of text cells, as a regional export has them)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    joins: list[dict[str, Any]] = field(default_factory=list)
    # Aktobe's comparison schools: registered (in both years' rows), joined to nothing.
    comparison: list[dict[str, str]] = field(default_factory=list)


class _Maker:
    """Makes well-formed, unique BINs and KATO codes and invented names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bins: set[str] = set()
        self.numbers: dict[str, int] = {}

    def bin(self) -> str:
        while True:
            head = (f"{self.rng.randint(0, 15):02d}{self.rng.randint(1, 12):02d}40"
                    f"{self.rng.randint(0, 99999):05d}")
            digit = check_digit(head)
            if digit is not None and head + str(digit) not in self.bins:
                self.bins.add(head + str(digit))
                return head + str(digit)

    def kato(self, district: str) -> str:
        return f"{district}{self.rng.randint(30, 79):02d}{self.rng.randint(1, 9)}00"

    def names(self, kind: str, place_kk: str, place_ru: str, place_en: str) -> dict[str, str]:
        n = self.numbers[kind] = self.numbers.get(kind, 0) + 1
        if kind == "school":
            return dict(name_kk=f"{place_kk} №{n} жалпы білім беретін мектебі",
                        name_ru=f"Общеобразовательная школа №{n} ({place_ru})",
                        name_en=f"Secondary school No. {n}, {place_en}")
        if kind == "preschool":
            return dict(name_kk=f"{place_kk} №{n} балабақшасы",
                        name_ru=f"Детский сад №{n} ({place_ru})",
                        name_en=f"Kindergarten No. {n}, {place_en}")
        return dict(name_kk=f"{place_kk} №{n} колледжі", name_ru=f"Колледж №{n} ({place_ru})",
                    name_en=f"College No. {n}, {place_en}")

    def row(self, organisation_id: str, kind: str, district: str, locality: str,
            pupils: int, small_class: bool, role: str | None = None) -> dict[str, str]:
        place = (("Орал", "Уральск", "Uralsk") if district == "2710" else
                 ("Қызылорда", "Кызылорда", "Kyzylorda") if district == "4310" else
                 self.rng.choice(VILLAGES))
        teachers = max(4, pupils // (9 if small_class else 14) + self.rng.randint(0, 4))
        if kind == "preschool":
            teachers = max(4, pupils // 12)
        return {"organisation_id": organisation_id, "bin": self.bin(), "kind": kind,
                **self.names(kind, *place), "kato": self.kato(district),
                "locality": locality, "small_class": "yes" if small_class else "no",
                "pupils": str(pupils), "teachers": str(teachers), "network_role": role or ""}


def _aktobe_contingents(rng: random.Random) -> list[int]:
    """21 schools of 81-230 pupils and 113 of 15-80, summing to exactly 10,500."""
    bounds = [(81, 230)] * AKTOBE_LARGER + [(15, 80)] * AKTOBE_SMALLER
    # Drawn near the mean the total implies (about 65 and 150), then nudged to the total.
    contingents = ([rng.randint(85, 220) for _ in range(AKTOBE_LARGER)]
                   + [rng.randint(42, 80) for _ in range(AKTOBE_SMALLER)])
    step = 1 if sum(contingents) < AKTOBE_PUPILS else -1
    order = list(range(len(bounds)))
    rng.shuffle(order)
    while sum(contingents) != AKTOBE_PUPILS:  # spread the gap a pupil at a time within bounds
        movable = [i for i in order if bounds[i][0] <= contingents[i] + step <= bounds[i][1]]
        for i in movable[:abs(AKTOBE_PUPILS - sum(contingents))]:
            contingents[i] += step
    rng.shuffle(contingents)
    return contingents


def _organisations(rng: random.Random) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """programme -> [(model, row)] for the second school year, plus Aktobe's first year."""
    make = _Maker(rng)
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    out["baquatty-audan"] = [
        ("online_teaching", make.row(f"AKM-TSL-{n:03d}", "school", "1166", "rural",
                                     pupils := rng.randint(40, 900), pupils < 150))
        for n in range(1, 91)]
    out["aktobe-small-schools"] = [
        (AKTOBE_MODELS[(n - 1) % len(AKTOBE_MODELS)],
         make.row(f"AKT-{n:03d}", "school", rng.choice(AKTOBE_DISTRICTS), "rural", pupils,
                  True))
        for n, pupils in enumerate(_aktobe_contingents(rng), start=1)]
    uralsk = [("school", 33, 250, 1600), ("preschool", 45, 60, 320),
              ("further_education", 7, 300, 1500)]
    out["uralsk-accelerator"] = [
        ("management_course", make.row(f"URL-{kind[:3].upper()}-{n:02d}", kind, "2710", "urban",
                                       rng.randint(low, high), False))
        for kind, count, low, high in uralsk for n in range(1, count + 1)]
    league = [("partner_league", make.row(
        f"KZO-LEAGUE-{n:02d}", "school", rng.choice(["4310", *KYZYLORDA_DISTRICTS]),
        "urban" if n <= 8 else "rural", rng.randint(180, 1400), False,
        "hub" if n <= 20 else None)) for n in range(1, 31)]
    partners = [("partner_league", make.row(
        f"KZO-PARTNER-{n:03d}", "school", rng.choice(KYZYLORDA_DISTRICTS), "rural",
        pupils := rng.randint(30, 600), pupils <= 120, "satellite")) for n in range(1, 101)]
    out["kyzylorda-partner-directors"] = league + partners
    return out


def _comparison_schools(rng: random.Random, bins: set[str]) -> list[dict[str, str]]:
    """The Aktobe region's small-class schools outside the pilot. Their own generator, so
    that adding them changes none of the other organisations' data."""
    make = _Maker(rng)
    make.bins |= bins
    make.numbers["school"] = 500  # their names' numbers follow on from the pilot's schools
    return [make.row(f"AKT-CMP-{n:03d}", "school", rng.choice(AKTOBE_DISTRICTS), "rural",
                     rng.randint(15, 80), True) for n in range(1, AKTOBE_COMPARISON + 1)]


def _second_year(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    """Aktobe's contingent a year on: a few pupils more or fewer. The pilot's size classes
    were fixed at its start, so the seed keeps each school on its side of 80 pupils."""
    before = int(row["pupils"])
    pupils = before + rng.randint(-6, 6)
    pupils = min(pupils, 80) if before <= 80 else max(pupils, 81)
    return {**row, "pupils": str(pupils)}


def generate(seed: int = 2023) -> RegistrySeed:
    rng = random.Random(seed)
    out = RegistrySeed(funders=[dict(f) for f in FUNDERS],
                       programmes=[dict(p) for p in PROGRAMMES])
    period = {p["programme_id"]: (p["start"], p["end"]) for p in PROGRAMMES}
    out.roles = [dict(programme_id=p, funder_id=f, role=r) for p, f, r in ROLES]
    out.commitments = [dict(programme_id=p, commitment_id=c, funder_id=f, scope=s,
                            amount_kzt=a, committed_on=d) for p, c, f, s, a, d in COMMITMENTS]
    out.disbursements = [
        dict(programme_id=p, commitment_id=c, reference=f"{c}-T{n}", amount_kzt=a * share // 100,
             disbursed_on=str(date.fromisoformat(d) + timedelta(days=days)))
        for p, c, _, _, a, d in COMMITMENTS
        for n, (share, days) in enumerate(TRANCHES.get(c, TRANCHES_USUALLY), 1)]
    out.targets = [dict(programme_id=p, indicator=i, ascending=True,
                        baseline=dict(year=int(period[p][0][:4]), value=BASELINES.get(i, "0")),
                        periods=[dict(start=period[p][0], end=period[p][1], target=str(t))])
                   for p, i, t in TARGETS]
    organisations = _organisations(rng)
    aktobe = [row for _, row in organisations["aktobe-small-schools"]]
    later = {row["organisation_id"]: _second_year(rng, row) for row in aktobe}
    out.comparison = _comparison_schools(random.Random(seed + 1), {
        row["bin"] for rows in organisations.values() for _, row in rows})
    out.rows[FIRST_YEAR] = aktobe + out.comparison
    out.rows[SECOND_YEAR] = [later.get(row["organisation_id"], row)
                             for rows in organisations.values() for _, row in rows
                             ] + out.comparison
    for programme_id, rows in organisations.items():
        start = period[programme_id][0]
        out.joins += [dict(programme_id=programme_id, organisation_id=row["organisation_id"],
                           model=model, joined_on=start) for model, row in rows]
    return out
