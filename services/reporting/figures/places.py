"""Districts and regions by name: the classifier's names (the registry's PlaceNamed, in the
`places` table) beside the codes the facts carry. A code the classifier has not named is
shown as the code itself and flagged `name_known: false`, never left blank or guessed."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("kk", "ru", "en")
NAME_COLUMNS = tuple(f"district_name_{lang}" for lang in LANGUAGES)


def name_in(names: dict[str, str | None], lang: str, code: str) -> str:
    """The name in `lang`; else Russian, then Kazakh (the classifier always has both; an
    English form may be missing); else the code itself."""
    return names.get(lang) or names.get("ru") or names.get("kk") or code


def in_language(lines: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Drill-down lines as a funder reads them: the district's name in `lang` in place of
    the three languages' columns, with `name_known` kept beside it."""
    out = []
    for line in lines:
        names = {code: line.get(f"district_name_{code}") for code in LANGUAGES}
        shown: dict[str, Any] = {}
        for key, value in line.items():
            if key == NAME_COLUMNS[0]:
                shown["district_name"] = name_in(names, lang, line["district_code"])
            elif key not in NAME_COLUMNS:
                shown[key] = value
        out.append(shown)
    return out


def place_names(cur: Any, schema: str, codes: list[str]) -> dict[str, dict[str, str | None]]:
    """{code: {"kk": ..., "ru": ..., "en": ...}} for the codes the classifier has named."""
    cur.execute(f"SELECT place_code, name_kk, name_ru, name_en FROM {schema}.places"
                " WHERE place_code = ANY(%s)", (codes,))
    return {code: dict(zip(LANGUAGES, names, strict=True)) for code, *names in cur.fetchall()}
