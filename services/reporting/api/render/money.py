"""The dashboard's money, per funder: what it committed, as what was spent (filled) and what
remains (outlined) on one scale for all funders, with the table beside it that adds what was
disbursed; the programme's totals above."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, row, svg, table
from services.reporting.api.render.words import LABELS, label

WIDTH, BARS, BAR = 460, 340, 16
SPENT = "#2e6b30"
TOTALS = ("committed", "disbursed", "procured", "spent", "remaining")
PER_FUNDER = ("committed_kzt", "disbursed_kzt", "spent_kzt", "remaining_kzt")


def funder_name(line: dict[str, Any], lang: str) -> str:
    """Who committed the money, named in the chosen language (else Russian, else the id)."""
    return str(line.get(f"funder_name_{lang}") or line.get("funder_name_ru")
               or line["funder_id"])


def by_funder(commitments: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each funder's commitments added up, in the report's order; what they pay for listed."""
    out: dict[str, dict[str, Any]] = {}
    for line in commitments:
        funder = out.setdefault(line["funder_id"], {
            **{k: v for k, v in line.items() if k.startswith("funder_")},
            **dict.fromkeys(PER_FUNDER, 0), "scopes": []})
        for key in PER_FUNDER:
            funder[key] += line[key]
        if line["scope"] not in funder["scopes"]:
            funder["scopes"].append(line["scope"])
    return out


def caption(funder: dict[str, Any], lang: str) -> str:
    scopes = ", ".join(LABELS.get(f"scope_{s}", {}).get(lang, s) for s in funder["scopes"])
    return f"{funder_name(funder, lang)} · {scopes}"


def section(report: dict[str, Any], lang: str) -> str:
    totals = report["money"]
    summary = '<p class="totals">' + " · ".join(
        f'<span data-figure="{name}_kzt">{label(name, lang)}: '
        f'{number(totals[f"{name}_kzt"])}</span>' for name in TOTALS) + "</p>"
    funders = by_funder(totals["commitments"])
    if not funders:
        return summary
    rows = [row(escape(caption(f, lang)), *(
        f'<td data-figure="money:{escape(fid)}:{key}" data-value="{f[key]}">'
        f"{number(f[key])}</td>" for key in PER_FUNDER)) for fid, f in funders.items()]
    head = [label("funder", lang), *(label(k.removesuffix("_kzt"), lang) for k in PER_FUNDER)]
    return (summary + figure(_bars(funders, lang), table(head, rows), wide=True)
            + f'<p class="muted">{label("money_note", lang)}</p>')


def _bars(funders: dict[str, dict[str, Any]], lang: str) -> str:
    top = max([f["committed_kzt"] for f in funders.values()] + [1])
    out, y = [], 0
    for f in funders.values():
        committed = int(BARS * f["committed_kzt"] / top)
        spent = min(int(BARS * f["spent_kzt"] / top), committed)
        out.append(
            f'<text x="0" y="{y + 11}">{escape(caption(f, lang))}</text>'
            f'<rect x="0" y="{y + 15}" width="{max(committed, 1)}" height="{BAR}" fill="#fff"'
            f' stroke="{SPENT}"/>'
            f'<rect x="0" y="{y + 15}" width="{spent}" height="{BAR}" fill="{SPENT}"/>'
            f'<text x="{max(committed, 1) + 6}" y="{y + 27}">{label("spent", lang)} '
            f'{_percent(f)}</text>')
        y += 15 + BAR + 14
    return svg(WIDTH, y, "".join(out), label("money", lang))


def _percent(funder: dict[str, Any]) -> str:
    if not funder["committed_kzt"]:
        return "—"
    return f"{round(100 * funder['spent_kzt'] / funder['committed_kzt'])} %"
