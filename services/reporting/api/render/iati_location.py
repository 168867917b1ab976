"""The IATI activity's `location` elements: one per district the programme reaches, named
in each language the classifier gives (English first, the activity's default language).

KATO, the national classifier, is not one of IATI's geographic vocabularies, so the district
is identified by the reporting organisation's own `ref` (KZ-KATO-<9-digit code>) and the
`administrative` element states what IATI can check: the country (vocabulary A4, ISO 3166-1
alpha-2, level 0). The description names the district in its region in each language. A
district (or region) the classifier has not named is named in each language by the note that
says so and gives its code (places.unnamed), never by a bare code.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - the conventional alias
from typing import Any

from services.reporting.figures.places import name_in, place_names, region_of
from services.reporting.ingest.tables import q

ORDER = ("en", "kk", "ru")  # the activity's default language first, without xml:lang
COUNTRY = {"en": "Kazakhstan", "kk": "Қазақстан", "ru": "Казахстан"}


def add_locations(activity: ET.Element, cur: Any, programme_id: str, schema: str) -> None:
    cur.execute(q("SELECT DISTINCT district_code FROM {s}.participants"
                  " WHERE programme_id = %s AND district_code IS NOT NULL ORDER BY 1", schema),
                (programme_id,))
    districts = [row[0] for row in cur.fetchall()]
    names = place_names(cur, schema, districts + sorted({region_of(d) for d in districts}))
    for district in districts:
        _location(activity, district, names.get(district), region_of(district),
                  names.get(region_of(district)))


def _location(activity: ET.Element, district: str, names: dict[str, Any] | None,
              region: str, region_names: dict[str, Any] | None) -> None:
    kato = district.ljust(9, "0")
    location = ET.SubElement(activity, "location", {"ref": f"KZ-KATO-{kato}"})
    ET.SubElement(location, "location-reach", {"code": "1"})  # where the activity happens
    name = ET.SubElement(location, "name")
    for lang in ORDER:
        if names is None or names.get(lang):  # a name only in the languages it has
            ET.SubElement(name, "narrative", _lang(lang)).text = name_in(names, lang, district)
    described = ET.SubElement(location, "description")
    for lang in ORDER:
        text = _described(lang, district, kato, names, region, region_names)
        if text:
            ET.SubElement(described, "narrative", _lang(lang)).text = text
    ET.SubElement(location, "administrative", {"vocabulary": "A4", "level": "0",
                                               "code": "KZ"})
    ET.SubElement(location, "exactness", {"code": "2"})  # a district, not a point
    ET.SubElement(location, "location-class", {"code": "1"})  # an administrative region
    ET.SubElement(location, "feature-designation", {"code": "ADM2"})


def _lang(lang: str) -> dict[str, str]:
    return {} if lang == "en" else {"xml:lang": lang}


def _described(lang: str, district: str, kato: str, names: dict[str, Any] | None,
               region: str, region_names: dict[str, Any] | None) -> str | None:
    """The district in its region, in `lang`; a place the classifier has not named by the
    note that says so; None where the classifier names the district but not in `lang`."""
    if names is not None and not names.get(lang):
        return None
    return (f"{name_in(names, lang, district)}, {name_in(region_names, lang, region, 'region')},"
            f" {COUNTRY[lang]} (KATO {kato})")
