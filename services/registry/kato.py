"""KATO, Kazakhstan's classifier of administrative-territorial objects: 9 digits AB CD EF HIJ
(region, district or city, rural district, settlement). The region and the district are
derived from the code, never typed separately, so they cannot disagree with it.

Regions are the full list as of the 2022 reform. Districts are listed for the regions the
seed programmes work in; a code in one of those regions must name a listed district. Codes in
other regions are accepted with the district known by its code only: extend DISTRICTS from
the national classifier when a programme starts there.
"""

from __future__ import annotations

from dataclasses import dataclass

# code: (Kazakh, Russian, English)
REGIONS: dict[str, tuple[str, str, str]] = {
    "10": ("Абай облысы", "область Абай", "Abai Region"),
    "11": ("Ақмола облысы", "Акмолинская область", "Akmola Region"),
    "15": ("Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    "19": ("Алматы облысы", "Алматинская область", "Almaty Region"),
    "23": ("Атырау облысы", "Атырауская область", "Atyrau Region"),
    "27": ("Батыс Қазақстан облысы", "Западно-Казахстанская область",
           "West Kazakhstan Region"),
    "31": ("Жамбыл облысы", "Жамбылская область", "Zhambyl Region"),
    "33": ("Жетісу облысы", "область Жетісу", "Zhetysu Region"),
    "35": ("Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    "39": ("Қостанай облысы", "Костанайская область", "Kostanay Region"),
    "43": ("Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    "47": ("Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    "55": ("Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    "59": ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
           "North Kazakhstan Region"),
    "61": ("Түркістан облысы", "Туркестанская область", "Turkestan Region"),
    "62": ("Ұлытау облысы", "область Ұлытау", "Ulytau Region"),
    "63": ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
           "East Kazakhstan Region"),
    "71": ("Астана қаласы", "город Астана", "Astana"),
    "75": ("Алматы қаласы", "город Алматы", "Almaty"),
    "79": ("Шымкент қаласы", "город Шымкент", "Shymkent"),
}

# 4-digit region+district code: English name (the seeds' regions only; see module doc).
DISTRICTS: dict[str, str] = {
    "1110": "Kokshetau city", "1166": "Tselinograd district", "1138": "Arshaly district",
    "1146": "Yereymentau district", "1510": "Aktobe city", "1520": "Aiteke Bi district",
    "1522": "Alga district", "1524": "Baiganin district", "1530": "Kargaly district",
    "1532": "Kobda district", "1534": "Martuk district", "1536": "Mugalzhar district",
    "1540": "Oiyl district", "1542": "Temir district", "1544": "Uil district",
    "1546": "Khromtau district", "1548": "Shalkar district", "2710": "Uralsk city",
    "2720": "Akzhaik district", "2730": "Baiterek district", "2740": "Terekti district",
    "4310": "Kyzylorda city", "4320": "Aral district", "4330": "Zhalagash district",
    "4340": "Zhanakorgan district", "4350": "Kazaly district", "4360": "Karmakshy district",
    "4370": "Syrdarya district", "4380": "Shieli district",
}
REGIONS_WITH_DISTRICT_LIST = {code[:2] for code in DISTRICTS}


@dataclass(frozen=True)
class Place:
    kato: str
    region_code: str
    district_code: str

    @property
    def region_name(self) -> str:
        return REGIONS[self.region_code][2]

    @property
    def district_name(self) -> str:
        return DISTRICTS.get(self.district_code, f"district {self.district_code}")


def problem(kato: str) -> str | None:
    """Why `kato` is not a settlement-level KATO code we can place, or None."""
    if len(kato) != 9 or not kato.isascii() or not kato.isdigit():
        return "Must be exactly 9 digits."
    if kato[:2] not in REGIONS:
        return f"Unknown region code {kato[:2]}."
    if kato[2:4] == "00":
        return "Names a whole region; an organisation's code names its district (digits 3-4)."
    if kato[:2] in REGIONS_WITH_DISTRICT_LIST and kato[:4] not in DISTRICTS:
        return f"Unknown district {kato[:4]} in {REGIONS[kato[:2]][2]}."
    return None


def place(kato: str) -> Place:
    reason = problem(kato)
    if reason:
        raise ValueError(reason)
    return Place(kato=kato, region_code=kato[:2], district_code=kato[:4])
