"""The dashboard's audit view: each targeted indicator (and money procured) as the service
recorded it at the end of each day it ran, one table row each with a small line. It says
when the data reached the platform, not when things happened (the progress lines, by the
facts' own dates, say that); who recorded it follows (provenance.py)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import number, row, svg, table
from services.reporting.api.render.words import label
from services.reporting.figures import catalogue

WIDTH, HEIGHT = 200, 24


def audited(report: dict[str, Any]) -> list[str]:
    """The figures the audit view follows: the targeted indicators and money procured."""
    return [line["indicator"] for line in report["indicators"]] + ["procured_kzt"]


def section(report: dict[str, Any], series: dict[str, list[tuple[Any, int]]],
            lang: str) -> str:
    shown = [(name, series[name]) for name in audited(report) if series.get(name)]
    if not shown:
        return f"<p>{label('none', lang)}</p>"
    rows = []
    for name, points in shown:
        caption = (label("procured", lang) if name == "procured_kzt"
                   else catalogue.label(name, lang))
        rows.append(row(escape(caption), f"{points[0][0]}", number(points[0][1]),
                        f"{points[-1][0]}", number(points[-1][1]),
                        f"<td>{_line(name, points, caption)}</td>"))
    head = [label("indicator", lang), label("first_day", lang), "", label("last_day", lang),
            "", ""]
    return f'<p class="muted">{label("trends_note", lang)}</p>' + table(head, rows)


def _line(name: str, points: list[tuple[Any, int]], caption: str) -> str:
    top = max(value for _, value in points) or 1
    step = (WIDTH - 8) / max(len(points) - 1, 1)
    xy = [(int(i * step) + 4, int(HEIGHT - 4 - (HEIGHT - 8) * value / top))
          for i, (_, value) in enumerate(points)]
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2.5" fill="#1f4e79"'
                   f' data-figure="trend:{escape(name)}:{day}" data-value="{value}"/>'
                   for (x, y), (day, value) in zip(xy, points, strict=True))
    line = " ".join(f"{x},{y}" for x, y in xy)
    return svg(WIDTH, HEIGHT, f'<polyline points="{line}" fill="none" stroke="#1f4e79"/>'
               f"{dots}", caption)
