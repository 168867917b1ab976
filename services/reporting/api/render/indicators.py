"""The dashboard's indicators: each target against its actual as a pair of bars on the
indicator's own scale, with a table beside them (target, actual, share reached, period's end)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, row, svg, table
from services.reporting.api.render.words import label
from services.reporting.figures import catalogue

WIDTH, BARS, BAR, GAP = 560, 440, 13, 16
TARGET, ACTUAL = "#ffffff", "#1f4e79"  # the target outlined, the actual filled


def _name(line: dict[str, Any], lang: str) -> str:
    name = catalogue.label(line["indicator"], lang)
    if line["measure"] == "percentage":  # the share, and of how many
        name += f", % ({number(line['numerator'])} / {number(line['denominator'])})"
    return name


def section(report: dict[str, Any], lang: str) -> str:
    lines = report["indicators"]
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    rows = [row(escape(catalogue.label(i["indicator"], lang)), number(i["target"]),
                number(i["actual"]), _percent(i["share_reached"]), str(i["period_end"]))
            for i in lines]
    head = [label(k, lang) for k in ("indicator", "target", "actual", "share_reached",
                                     "period_end")]
    return figure(_bars(lines, lang), table(head, rows), wide=True)


def _percent(share: str | None) -> str:
    return "—" if share is None else f"{round(float(share) * 100)} %"


def _bars(lines: list[dict[str, Any]], lang: str) -> str:
    """For each indicator its caption, then target and actual scaled to the larger."""
    out, y = [], 0
    for line in lines:
        out.append(f'<text x="0" y="{y + 11}">{escape(_name(line, lang))}</text>')
        y += 15
        top = max(float(line["target"]), float(line["actual"] or 0), 1.0)
        for series, value, fill in (("target", float(line["target"]), TARGET),
                                    ("actual", float(line["actual"] or 0), ACTUAL)):
            width = max(int(BARS * value / top), 1)
            out.append(
                f'<rect x="0" y="{y}" width="{width}" height="{BAR}" fill="{fill}"'
                f' stroke="{ACTUAL}" data-figure="{escape(line["indicator"])}"'
                f' data-series="{label(series, lang)}" data-value="{value}"/>'
                f'<text x="{width + 6}" y="{y + 10}">{label(series, lang)}: '
                f'{number(value)}</text>')
            y += BAR + 2
        y += GAP
    return svg(WIDTH, y, "".join(out), label("indicators", lang))
