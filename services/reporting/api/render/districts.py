"""The dashboard's districts: each by its name and its region's in the page's language
(places.in_language chose them); a code the classifier has not named is shown as the code
with a visible mark, explained under the table."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import number, table
from services.reporting.api.render.words import label

COLUMNS = ("organisations", "pupils", "participants_trained", "cabinets_commissioned",
           "pupils_assessed")


def _place(code: Any, name: Any, known: bool, attribute: str, flag: str) -> str:
    code = escape(str(code))
    if not known:
        return (f'<td data-{attribute}="{code}" data-{flag}="false"'
                f' class="unnamed" title="KATO {code}">{code} ?</td>')
    return f'<td data-{attribute}="{code}" title="KATO {code}">{escape(str(name))}</td>'


def _rows(lines: list[dict[str, Any]]) -> list[str]:
    return ["<tr>" + _place(line["district_code"], line["district_name"],
                            line.get("name_known", False), "district", "name-known")
            + _place(line.get("region_code", ""), line.get("region_name"),
                     line.get("region_name_known", False), "region", "region-known")
            + "".join(f'<td data-figure="district:{escape(str(line["district_code"]))}:{c}">'
                      f"{number(line[c])}</td>" for c in COLUMNS) + "</tr>"
            for line in lines]


def section(lines: list[dict[str, Any]], lang: str) -> str:
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    unnamed = any(not (line.get("name_known") and line.get("region_name_known"))
                  for line in lines)
    note = f'<p class="muted">{label("unnamed", lang)}</p>' if unnamed else ""
    return table([label(k, lang) for k in ("district", "region", *COLUMNS)],
                  _rows(lines)) + note
