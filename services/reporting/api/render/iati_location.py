"""The IATI activity's `location` elements: one per district the programme reaches, named
in each language the classifier gives (English first, the activity's default language).

KATO, the national classifier, is not one of IATI's geographic vocabularies, so the district
is identified by the reporting organisation's own `ref` (KZ-KATO-<9-digit code>) and the
`administrative` element states what IATI can check: the country (vocabulary A4, ISO 3166-1
alpha-2, level 0). A district the classifier has not named is named by its code, and its
description says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - the conventional alias
from typing import Any

from services.reporting.figures.places import LANGUAGES, place_names

ORDER = ("en", "kk", "ru")  # the activity's default language first, without xml:lang


def add_locations(activity: ET.Element, cur: Any, programme_id: str, schema: str) -> None:
    cur.execute(f"SELECT DISTINCT district_code FROM {schema}.participants"
                " WHERE programme_id = %s AND district_code IS NOT NULL ORDER BY 1",
                (programme_id,))
    districts = [row[0] for row in cur.fetchall()]
    names = place_names(cur, schema, districts + sorted({d[:2] for d in districts}))
    for district in districts:
        _location(activity, district, names.get(district), names.get(district[:2]))


def _location(activity: ET.Element, district: str, names: dict[str, Any] | None,
              region: dict[str, Any] | None) -> None:
    kato = district.ljust(9, "0")
    location = ET.SubElement(activity, "location", {"ref": f"KZ-KATO-{kato}"})
    ET.SubElement(location, "location-reach", {"code": "1"})  # where the activity happens
    name = ET.SubElement(location, "name")
    if names is None:
        ET.SubElement(name, "narrative").text = district
    else:
        for lang in ORDER:
            if names.get(lang):
                attrs = {} if lang == "en" else {"xml:lang": lang}
                ET.SubElement(name, "narrative", attrs).text = names[lang]
    described = ET.SubElement(location, "description")
    in_region = f", {_english(region)}" if region else ""
    ET.SubElement(described, "narrative").text = (
        f"District {district} (KATO {kato}){in_region}, Kazakhstan" if names else
        f"District {district} (KATO {kato}): not named in the KATO classifier held")
    ET.SubElement(location, "administrative", {"vocabulary": "A4", "level": "0",
                                               "code": "KZ"})
    ET.SubElement(location, "exactness", {"code": "2"})  # a district, not a point
    ET.SubElement(location, "location-class", {"code": "1"})  # an administrative region
    ET.SubElement(location, "feature-designation", {"code": "ADM2"})


def _english(names: dict[str, Any]) -> str:
    return str(next(names[lang] for lang in ("en", *LANGUAGES) if names.get(lang)))
