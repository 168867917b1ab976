"""The dashboard's districts: each by its name and its region's in the page's language
(places.in_language chose them); a place the classifier has not named is shown with a note
that says so and gives its code (places.unnamed), marked `data-name-known="false"`, never
as a bare code."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import number, table
from services.reporting.api.render.words import label
from services.reporting.figures.places import unnamed

COLUMNS = ("organisations", "pupils", "participants_trained", "cabinets_commissioned",
           "pupils_assessed")


def _place(code: Any, name: Any, known: bool, place: str, flag: str, lang: str) -> str:
    code = escape(str(code))
    if not known or not name:
        return (f'<td data-{place}="{code}" data-{flag}="false" class="unnamed"'
                f' title="KATO {code}">{escape(unnamed(place, lang, code))}</td>')
    return f'<td data-{place}="{code}" title="KATO {code}">{escape(str(name))}</td>'


def _rows(lines: list[dict[str, Any]], lang: str) -> list[str]:
    return ["<tr>" + _place(line["district_code"], line["district_name"],
                            line.get("name_known", False), "district", "name-known", lang)
            + _place(line.get("region_code", ""), line.get("region_name"),
                     line.get("region_name_known", False), "region", "region-known", lang)
            + "".join(f'<td data-figure="district:{escape(str(line["district_code"]))}:{c}">'
                      f"{number(line[c])}</td>" for c in COLUMNS) + "</tr>"
            for line in lines]


def section(lines: list[dict[str, Any]], lang: str) -> str:
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    return table([label(k, lang) for k in ("district", "region", *COLUMNS)],
                 _rows(lines, lang))
