"""Districts and regions by name: the classifier's names (the registry's PlaceNamed, in the
`places` table) beside the codes the facts carry. A code the classifier has not named is
flagged (`name_known` / `region_name_known` false) and never shown bare nor guessed: where
a person reads it, `unnamed` says in words that the classifier lacks it and gives the code
("District not in the classifier (code 1599)"); in JSON its name is null.

A drill-down line as the figures compute it carries each place's names in every language
(`district_name_kk`, …, `region_name_en`); `in_language` turns it into one language (the
JSON drill-downs, the dashboard: the name, or null), `in_all_languages` into what an
export carries (CSV and XLSX: all three, and the asked one first, the note where no name)."""

from __future__ import annotations

from typing import Any

from services.reporting.ingest.tables import q

LANGUAGES = ("kk", "ru", "en")
PLACES = ("district", "region")  # each place a line names; flags name_known, region_name_known
NAME_COLUMNS = tuple(f"{place}_name_{lang}" for place in PLACES for lang in LANGUAGES)
# What a drill-down line says of its places beside the district's code, in this order.
PLACE_FIELDS = (*NAME_COLUMNS[:3], "name_known", "region_code", *NAME_COLUMNS[3:],
                "region_name_known")


def region_of(district_code: str) -> str:
    """The region's code: KATO's first two digits (ab) are the region's."""
    return district_code[:2]


# What a reader sees for a place the classifier has not named, in each language.
UNNAMED = {
    "district": {"kk": "Ауданның аты классификаторда жоқ (код {code})",
                 "ru": "Район отсутствует в классификаторе (код {code})",
                 "en": "District not in the classifier (code {code})"},
    "region": {"kk": "Облыстың аты классификаторда жоқ (код {code})",
               "ru": "Область отсутствует в классификаторе (код {code})",
               "en": "Region not in the classifier (code {code})"},
}


def unnamed(place: str, lang: str, code: str) -> str:
    """The note for a `place` ("district" or "region") the classifier has no name for."""
    return UNNAMED[place][lang].format(code=code)


def named(names: dict[str, str | None] | None, lang: str) -> str | None:
    """The name in `lang`; else Russian, then Kazakh (the classifier always has both; an
    English form may be missing); None where the classifier has none."""
    names = names or {}
    return names.get(lang) or names.get("ru") or names.get("kk")


def name_in(names: dict[str, str | None] | None, lang: str, code: str,
            place: str = "district") -> str:
    """What a reader sees: the name in `lang` (as `named`), else the note with the code."""
    return named(names, lang) or unnamed(place, lang, code)


def _names(line: dict[str, Any], place: str) -> dict[str, str | None]:
    return {lang: line.get(f"{place}_name_{lang}") for lang in LANGUAGES}


def _code(line: dict[str, Any], place: str) -> str:
    return str(line.get(f"{place}_code") or "")


def in_language(lines: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Drill-down lines in one language: each place's name in `lang` (null where the
    classifier has none) in place of the three languages' columns, its flag beside it."""
    return [_shown(line, {place: {f"{place}_name": named(_names(line, place), lang)}
                          for place in PLACES}) for line in lines]


def in_all_languages(lines: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Drill-down lines for an export: each place's name in `lang`, then in every language
    (each with the same fall-back, and the note where there is no name, so no cell is blank
    nor a bare code), its flag kept beside them."""
    return [_shown(line, {place: {
        f"{place}_name": name_in(_names(line, place), lang, _code(line, place), place),
        **{f"{place}_name_{code}": name_in(_names(line, place), code, _code(line, place),
                                           place)
           for code in LANGUAGES}} for place in PLACES}) for line in lines]


def _shown(line: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The line's fields in their order, each place's names where its first name column was."""
    shown: dict[str, Any] = {}
    for key, value in line.items():
        place = next((p for p in PLACES if key == f"{p}_name_{LANGUAGES[0]}"), None)
        if place is not None:
            shown.update(names[place])
        elif key not in NAME_COLUMNS:
            shown[key] = value
    return shown


def place_names(cur: Any, schema: str, codes: list[str]) -> dict[str, dict[str, str | None]]:
    """{code: {"kk": ..., "ru": ..., "en": ...}} for the codes the classifier has named."""
    cur.execute(q("SELECT place_code, name_kk, name_ru, name_en FROM {s}.places"
                  " WHERE place_code = ANY(%s)", schema), (codes,))
    return {code: dict(zip(LANGUAGES, names, strict=True)) for code, *names in cur.fetchall()}


def with_regions(cur: Any, schema: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line with its district's region: code, names in every language and flag,
    right after the district's flag."""
    regions = sorted({region_of(line["district_code"]) for line in lines
                      if line["district_code"]})
    names = place_names(cur, schema, regions)
    out = []
    for line in lines:
        region = region_of(line["district_code"] or "")
        known = names.get(region)
        fields = {"region_code": region,
                  **{f"region_name_{lang}": (known or {}).get(lang) for lang in LANGUAGES},
                  "region_name_known": known is not None}
        shown: dict[str, Any] = {}
        for key, value in line.items():
            shown[key] = value
            if key == "name_known":
                shown.update(fields)
        out.append(shown)
    return out


def name_district_splits(cur: Any, schema: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Outcome rows split by district (`district:<code>`) with the district's names, each
    None where the classifier has none."""
    codes = sorted({r["split"].split(":", 1)[1] for r in rows if r["split"].startswith(
        "district:")})
    names = place_names(cur, schema, codes) if codes else {}
    for row in rows:
        if row["split"].startswith("district:"):
            named = names.get(row["split"].split(":", 1)[1], {})
            row.update({f"district_name_{lang}": named.get(lang) for lang in LANGUAGES})
    return rows
