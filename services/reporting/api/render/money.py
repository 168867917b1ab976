"""The dashboard's money, per commitment and its funder: what was committed, disbursed
(paid out by the funder), spent (cabinets procured and other spending), held by the
implementer (disbursed, not yet spent) and remaining, drawn on one scale for all commitments
with the table below it; the programme's totals above; where the spending went follows
(spending.py)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import spending
from services.reporting.api.render.layout import figure, number, row, svg, table
from services.reporting.api.render.names import funder_name
from services.reporting.api.render.shares import percent
from services.reporting.api.render.words import LABELS, label

WIDTH, BARS, BAR, LINE = 900, 480, 20, 18
SPENT, HELD = "#2e6b30", "#b7d7b0"
TOTALS = ("committed", "disbursed", "procured", "spent", "held", "remaining")
PER_COMMITMENT = ("committed_kzt", "disbursed_kzt", "spent_kzt", "held_by_implementer_kzt",
                  "remaining_kzt")


def held(line: dict[str, Any]) -> int:
    """What the funder paid out that is not spent yet (negative: spent ahead of payments)."""
    value = line.get("held_by_implementer_kzt")
    return int(value) if value is not None else line["disbursed_kzt"] - line["spent_kzt"]


def caption(line: dict[str, Any], lang: str) -> str:
    """«Funder» · what it pays for (commitment id)."""
    scope = LABELS.get(f"scope_{line['scope']}", {}).get(lang, line["scope"])
    return f"{funder_name(line, lang)} · {scope} ({line['commitment_id']})"


def _total(name: str, totals: dict[str, Any], lang: str) -> str:
    value = held(totals) if name == "held" else totals[f"{name}_kzt"]
    key = "held_by_implementer_kzt" if name == "held" else f"{name}_kzt"
    return f'<span data-figure="{key}">{label(name, lang)}: {number(value)}</span>'


def section(report: dict[str, Any], lang: str) -> str:
    totals = report["money"]
    summary = ('<p class="totals">' + " · ".join(_total(name, totals, lang) for name in TOTALS)
               + "</p>")
    lines = totals["commitments"]
    if not lines:
        return summary
    rows = [row(escape(caption(c, lang)), *(
        f'<td data-figure="money:{escape(c["commitment_id"])}:{key}"'
        f' data-value="{_value(c, key)}">{number(_value(c, key))}</td>'
        for key in PER_COMMITMENT)) for c in lines]
    head = [label("commitment", lang), *(label(k, lang) for k in (
        "committed", "disbursed", "spent", "held", "remaining"))]
    return (summary + figure(_bars(lines, lang), table(head, rows), stacked=True)
            + f'<p class="note">{label("money_note", lang)} {label("held_note", lang)}</p>'
            + spending.section(report, lang))


def _value(line: dict[str, Any], key: str) -> int:
    return held(line) if key == "held_by_implementer_kzt" else int(line[key])


def _legend(lang: str) -> str:
    out, x = [], 0
    for name, fill, stroke in (("spent", SPENT, SPENT), ("held", HELD, SPENT),
                               ("undisbursed", "#fff", SPENT)):
        text = label(name, lang)
        out.append(f'<rect x="{x}" y="2" width="18" height="12" fill="{fill}"'
                   f' stroke="{stroke}"/><text x="{x + 24}" y="13">{escape(text)}</text>')
        x += 24 + 9 * len(text) + 24
    return "".join(out)


def _bars(lines: list[dict[str, Any]], lang: str) -> str:
    """Each commitment: its caption, then a bar as long as the commitment (outlined), spent
    filled, held by the implementer lighter; a negative holding marked where the funder's
    payments stop."""
    top = max([c["committed_kzt"] for c in lines] + [1])

    def width(amount: int) -> int:
        return max(0, min(int(BARS * amount / top), BARS))
    out, y = [_legend(lang)], 30
    for c in lines:
        committed, spent = max(width(c["committed_kzt"]), 1), width(c["spent_kzt"])
        disbursed = width(c["disbursed_kzt"])
        out.append(
            f'<text x="0" y="{y + 13}" font-weight="bold">{escape(caption(c, lang))}</text>'
            f'<rect x="0" y="{y + LINE}" width="{committed}" height="{BAR}" fill="#fff"'
            f' stroke="{SPENT}"/>'
            f'<rect x="0" y="{y + LINE}" width="{max(disbursed, spent)}" height="{BAR}"'
            f' fill="{HELD}" stroke="{SPENT}"/>'
            f'<rect x="0" y="{y + LINE}" width="{spent}" height="{BAR}" fill="{SPENT}"/>')
        if held(c) < 0:  # spent ahead of the funder's payments: where the payments stop
            out.append(f'<line x1="{disbursed}" x2="{disbursed}" y1="{y + LINE - 3}"'
                       f' y2="{y + LINE + BAR + 3}" stroke="#b03a2e" stroke-width="3"/>')
        out.append(
            f'<text x="{max(committed, spent) + 8}" y="{y + LINE + 15}">'
            f'{label("spent", lang)} {percent(c["spent_kzt"], c["committed_kzt"])} · '
            f'{label("held", lang)} {number(held(c))}</text>')
        y += LINE + BAR + 16
    return svg(WIDTH, y, "".join(out), label("money", lang), css="large")
