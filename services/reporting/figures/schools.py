"""A school as a report's line names it: its Russian name, its district's code and the
classifier's names for it (in each language, `name_known` false where the classifier has
none: places.in_language shows the code then). The cabinets' and the development sections
name their schools so."""

from __future__ import annotations

from typing import Any

# Joins for `{org}`, an organisation id column: the programme's own district for the school
# (as it joined), else the registry's. Needs `%(p)s`, the programme.
JOINS = """LEFT JOIN {s}.organisations o ON o.organisation_id = {org}
  LEFT JOIN {s}.participants pa ON pa.programme_id = %(p)s AND pa.organisation_id = {org}
  LEFT JOIN {s}.places pl ON pl.place_code = coalesce(pa.district_code, o.district_code)"""
COLUMNS = ("o.name_ru, coalesce(pa.district_code, o.district_code), pl.name_kk, pl.name_ru,"
           " pl.name_en, pl.place_code IS NOT NULL")
WIDTH = 6  # the columns above


def joins(org: str) -> str:
    return JOINS.replace("{org}", org)


def named(organisation_id: str, row: Any) -> dict[str, Any]:
    """The line's head from the COLUMNS of one row."""
    name_ru, district, name_kk, district_ru, name_en, known = row
    return {"organisation_id": organisation_id, "name_ru": name_ru, "district_code": district,
            "district_name_kk": name_kk, "district_name_ru": district_ru,
            "district_name_en": name_en, "name_known": bool(known)}
