"""The dashboard's building blocks: numbers as people read them, an SVG that scales to the
page (and to A4 when printed), a chart with its table beside it, and the page's style for
the screen and for print."""

from __future__ import annotations

import re
from html import escape
from typing import Any

INTEGER = re.compile(r"^-?\d+$")
NUMERIC = re.compile(r"^[-+]?[\d\u202f.,\s%—\[\];/]*\d[\d\u202f.,\s%—\[\];/]*$|^—$")


def number(value: Any) -> str:
    """12 500 (a thin space between thousands, as Kazakh and Russian write them); None as —.
    A decimal the JSON writes as text stays as written; a whole number in text is spaced."""
    if value is None:
        return "—"
    if isinstance(value, str) and INTEGER.match(value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else str(value)


def raw(value: Any) -> str:
    """A figure's `data-value`: exactly as the JSON has it (None as —)."""
    return "—" if value is None else escape(str(value))


def svg(width: int, height: int, body: str, caption: str, css: str = "") -> str:
    """A drawing in its own units: it keeps its proportions when the page is narrower. A
    `large` one has larger words (it is drawn at about its own size, above its table)."""
    cls = f' class="{css}"' if css else ""
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}"{cls}'
            f' role="img" aria-label="{escape(caption)}">{body}</svg>')


def figure(chart: str, table: str, wide: bool = False, stacked: bool = False) -> str:
    """A chart and the table that says the same in numbers, side by side; never split
    across printed pages. A `wide` one (its table has many columns) is printed above its
    table: side by side on A4 would shrink the chart's words (or the chart) to nothing. A
    `stacked` one is above its table on the screen too, at its own size."""
    css = "figure stacked" if stacked else "figure wide" if wide else "figure"
    return f'<div class="{css}"><div class="chart">{chart}</div>{table}</div>'


def table(head: list[str], rows: list[str], css: str = "") -> str:
    """A table from escaped header words and finished `<tr>` rows; its header repeats on
    each printed page the table runs over."""
    cells = "".join(f"<th>{h}</th>" for h in head)
    return (f'<table class="{css}"><thead><tr>{cells}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def cell(content: str) -> str:
    """A plain cell; numbers (and intervals, and —) right-aligned so their digits line up."""
    return f'<td class="n">{content}</td>' if NUMERIC.match(content) else f"<td>{content}</td>"


def row(*cells: str) -> str:
    """A table row; a cell already given as `<td …>` is kept as it is."""
    return "<tr>" + "".join(c if c.startswith("<td") else cell(c) for c in cells) + "</tr>"


# Charts are readable in black and white: the actual line solid, the target dashed, money
# spent solid and remaining outlined; colour only helps.
STYLE = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#1d2733;max-width:1180px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;color:#0b5a8a}
h3{font-size:14px;margin:14px 0 4px}
table{border-collapse:collapse;font-size:13px;margin:4px 0}
td,th{padding:3px 8px;text-align:left;border-bottom:1px solid #e3e8ee;vertical-align:top}
th{background:#eef3f7;font-weight:600}
td.n,td[data-value],td[data-figure]{text-align:right;white-space:nowrap}
nav a{margin-right:10px} .muted{color:#5b6773;font-size:12px} .totals{font-size:14px}
svg{max-width:100%;height:auto} svg text{font-size:12px;fill:#1d2733}
svg.large text{font-size:14px}
.figure{display:flex;gap:8px 28px;align-items:flex-start;margin:6px 0 14px}
.figure .chart{flex:0 1 560px;min-width:0} .figure table{flex:0 0 auto}
.figure.stacked{flex-direction:column} .figure.stacked .chart{flex:none;width:100%}
p.note{font-size:13px;max-width:900px} dl.legend dt{font-weight:600;font-size:14px;margin-top:8px}
dl.legend dd{margin:2px 0 0 0;font-size:13px;max-width:900px}
.keyfigures{display:flex;flex-wrap:wrap;gap:8px 12px;margin:6px 0 10px}
.keyfigures div{border:1px solid #c9d3dc;border-radius:4px;padding:6px 10px;min-width:120px}
.keyfigures b{display:block;font-size:20px} .keyfigures span{font-size:12px;color:#3d4a57}
.keyfigures .alert{border-color:#b03a2e} .keyfigures .alert b{color:#b03a2e}
.pdf{font-weight:600} .date{white-space:nowrap}
.error,td.alert{color:#b03a2e;font-weight:600}
table.gains svg{width:220px;max-width:none}
.unnamed{font-style:italic}
table.gains td{vertical-align:middle} table.gains tr.first td{border-top:1px solid #9aa7b4}
@page{size:A4;margin:14mm 12mm}
@media print{
 nav{display:none} .pdf{display:none}
 .figure.stacked .chart{width:100%} svg.large text{font-size:13px}
 .keyfigures b{font-size:13pt} .keyfigures div{padding:3px 6px}
 body{margin:0;max-width:none;color:#000;font-size:10pt}
 h2{color:#000;border-bottom:1px solid #000;break-after:avoid;margin-top:16px}
 h3{break-after:avoid}
 .figure{gap:4px 12px} .figure.wide{flex-wrap:wrap} .figure.wide .chart{flex:1 0 100%}
 table.gains svg{width:150px}
 .figure,tr,svg,.keep{break-inside:avoid}
 table{font-size:9pt} th{background:none;border-bottom:1px solid #000}
 td,th{border-bottom:1px solid #999;padding:2px 5px}
 .muted{color:#333}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
