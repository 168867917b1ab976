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

# 4-digit region+district code: English name, every district of the seeds' four regions as
# the Bureau's KATO has them (data/kato/README.md names the sources they were checked against;
# tests/registry/test_kato.py keeps this list and the shipped extract the same).
DISTRICTS: dict[str, str] = {
    "1110": "Kokshetau city", "1116": "Kosshy city", "1118": "Stepnogorsk city",
    "1132": "Akkol district", "1134": "Arshaly district", "1136": "Astrakhan district",
    "1138": "Atbasar district", "1140": "Bulandy district", "1144": "Egindykol district",
    "1145": "Birzhan Sal district", "1146": "Yereymentau district", "1148": "Esil district",
    "1152": "Zhaksy district", "1154": "Zharkain district", "1156": "Zerendi district",
    "1160": "Korgalzhyn district", "1164": "Sandyktau district",
    "1166": "Tselinograd district", "1168": "Shortandy district", "1170": "Burabay district",
    "1510": "Aktobe city", "1532": "Alga district", "1534": "Aiteke Bi district",
    "1536": "Baiganin district", "1540": "Kargaly district", "1542": "Kobda district",
    "1546": "Martuk district", "1548": "Mugalzhar district", "1552": "Oiyl (Uil) district",
    "1556": "Temir district", "1560": "Khromtau district", "1564": "Shalkar district",
    "1568": "Irgiz district", "2710": "Uralsk city", "2732": "Akzhaik district",
    "2736": "Burli district", "2740": "Zhangala district", "2742": "Zhanibek district",
    "2744": "Baiterek district", "2748": "Kaztalov district", "2750": "Karatobe district",
    "2754": "Bokey Orda district", "2758": "Syrym district", "2760": "Taskala district",
    "2762": "Terekti district", "2766": "Shyngyrlau district", "4310": "Kyzylorda city",
    "4319": "Baikonur city", "4332": "Aral district", "4336": "Zhalagash district",
    "4340": "Zhanakorgan district", "4344": "Kazaly district", "4346": "Karmakshy district",
    "4348": "Syrdarya district", "4352": "Shieli district",
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
