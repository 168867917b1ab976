"""Where the money went: the cabinets procured and every category of other spending, each by
its name in the page's language, per commitment and in all, with a bar per category on one
scale beside the table."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, row, svg, table
from services.reporting.api.render.names import CATEGORY_NAMES, category_name, funder_name
from services.reporting.api.render.shares import percent
from services.reporting.api.render.words import label

CABINETS = "cabinets"  # the procured cabinets' line: `procured_kzt`, not a category
WIDTH, NAMES, BARS, BAR = 720, 240, 340, 18


def _by_category(line: dict[str, Any]) -> dict[str, int]:
    return {CABINETS: int(line.get("procured_kzt") or 0),
            **{k: int(v) for k, v in (line.get("spent_by_category") or {}).items()}}


def categories(lines: list[dict[str, Any]]) -> list[str]:
    """Cabinets first, then the categories spent on, in the usual order (a new one after)."""
    spent = {k for line in lines for k, v in _by_category(line).items() if v}
    usual = [CABINETS, *CATEGORY_NAMES]
    return [k for k in usual if k in spent] + sorted(spent - set(usual))


def name(key: str, lang: str) -> str:
    return label("cabinets_bought", lang) if key == CABINETS else category_name(key, lang)


def section(report: dict[str, Any], lang: str) -> str:
    lines = report["money"]["commitments"]
    keys = categories(lines)
    if not keys:
        return ""
    per_line = [_by_category(c) for c in lines]
    totals = {k: sum(spent.get(k, 0) for spent in per_line) for k in keys}
    everything = sum(totals.values())
    rows = [row(escape(name(k, lang)), *(
        f'<td data-figure="spent:{escape(c["commitment_id"])}:{escape(k)}"'
        f' data-value="{spent.get(k, 0)}">{number(spent.get(k, 0))}</td>'
        for c, spent in zip(lines, per_line, strict=True)),
        f'<td data-figure="spent:{escape(k)}" data-value="{totals[k]}">'
        f"{number(totals[k])}</td>", percent(totals[k], everything)) for k in keys]
    head = ["", *(f'{escape(funder_name(c, lang))} <span class="muted">'
                  f'{escape(c["commitment_id"])}</span>' for c in lines),
            label("total", lang), "%"]
    return (f"<h3>{label('spending', lang)}</h3>"
            + figure(_bars(keys, totals, lang), table(head, rows), stacked=True))


def _bars(keys: list[str], totals: dict[str, int], lang: str) -> str:
    top = max([*totals.values(), 1])
    out, y = [], 0
    for k in keys:
        width = max(int(BARS * totals[k] / top), 1)
        out.append(f'<text x="{NAMES - 8}" y="{y + 16}" text-anchor="end">'
                   f"{escape(name(k, lang))}</text>"
                   f'<rect x="{NAMES}" y="{y + 2}" width="{width}" height="{BAR}"'
                   f' fill="#2e6b30"/>'
                   f'<text x="{NAMES + width + 6}" y="{y + 16}">{number(totals[k])}</text>')
        y += BAR + 8
    return svg(WIDTH, y, "".join(out), label("spending", lang), css="large")
