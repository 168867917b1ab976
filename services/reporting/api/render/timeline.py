"""The dashboard's time: each targeted indicator's line month by month over the programme's
own time, drawn to the end of its period, against its target; and whether the figures are
approved. Drawn on the server as SVG with a table beside each chart, like the rest of the
page."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, raw, row, svg, table
from services.reporting.api.render.words import label
from services.reporting.figures import catalogue

WIDTH, HEIGHT = 560, 170
LEFT, RIGHT, TOP, BOTTOM = 52, 52, 12, 24  # room for the axes' and the last value's labels
ACTUAL, TARGET = "#1f4e79", "#b03a2e"


def _month_index(month: str) -> int:
    year, number_ = month[:7].split("-")
    return int(year) * 12 + int(number_) - 1


def progress(report: dict[str, Any], lang: str, skip: tuple[str, ...] = ()) -> str:
    """One chart per targeted indicator (but those in `skip`, drawn elsewhere): its monthly
    line, the target as a dashed line, the period's end as a dotted one; the table beside
    it says the same in numbers."""
    out = [legend(lang)]
    for line in report["indicators"]:
        points = line.get("progress") or []
        if not points or line["indicator"] in skip:
            continue
        name = catalogue.label(line["indicator"], lang)
        unit = ", %" if line["measure"] == "percentage" else ""
        out.append(f'<div class="keep"><h3>{escape(name)}{unit}</h3>'
                   + figure(chart(line, points, "progress", lang, name),
                            progress_table(line, points, lang)) + "</div>")
    return "".join(out)


def legend(lang: str) -> str:
    """What the lines mean, once above the charts: told apart by dash, not only colour."""
    body = (f'<line x1="0" x2="28" y1="8" y2="8" stroke="{ACTUAL}" stroke-width="2.5"/>'
            f'<text x="34" y="12">{label("actual", lang)}</text>'
            f'<line x1="120" x2="148" y1="8" y2="8" stroke="{TARGET}" stroke-width="1.5"'
            f' stroke-dasharray="6,4"/><text x="154" y="12">{label("target", lang)}</text>'
            f'<line x1="250" x2="250" y1="0" y2="16" stroke="#555" stroke-dasharray="2,3"/>'
            f'<text x="258" y="12">{label("period_end", lang)}</text>')
    return svg(420, 16, body, label("progress", lang))


def chart(line: dict[str, Any], points: list[dict[str, Any]], key: str, lang: str,
          caption: str) -> str:
    """The line of `points` from the first month to the period's end, with the target."""
    target = float(line["target"])
    values = [None if p["actual"] is None else float(p["actual"]) for p in points]
    top = max([target, *[v for v in values if v is not None], 1.0]) * 1.08
    first = _month_index(points[0]["month"])
    end = max(_month_index(str(line["period_end"])), _month_index(points[-1]["month"]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: str) -> int:
        return LEFT + int(plot_w * (_month_index(month) - first) / max(end - first, 1))

    def y(value: float) -> int:
        return TOP + int(plot_h * (1 - value / top))
    indicator = escape(line["indicator"])
    drawn = [(x(p["month"]), y(v)) for p, v in zip(points, values, strict=True)
             if v is not None]
    marks = "".join(
        f'<circle cx="{x(p["month"])}" cy="{y(v)}" r="2.5" fill="{ACTUAL}"'
        f' data-figure="{key}:{indicator}:{p["month"]}" data-value="{raw(p["actual"])}"/>'
        if v is not None else  # a share of nobody yet: no point, but the figure is there
        f'<g data-figure="{key}:{indicator}:{p["month"]}" data-value="—"></g>'
        for p, v in zip(points, values, strict=True))
    period_end = str(line["period_end"])[:7]
    last = next((p for p in reversed(points) if p["actual"] is not None), None)
    body = (
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(0)}" y2="{y(0)}" stroke="#555"/>'
        f'<text x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end">0</text>'
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(target)}" y2="{y(target)}"'
        f' stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6,4"'
        f' data-figure="{key}-target:{indicator}" data-value="{raw(line["target"])}"/>'
        f'<text x="{LEFT - 6}" y="{y(target) + 4}" text-anchor="end" fill="{TARGET}">'
        f'{number(line["target"])}</text>'
        f'<line x1="{x(period_end)}" x2="{x(period_end)}" y1="{TOP}" y2="{y(0)}"'
        f' stroke="#555" stroke-dasharray="2,3"/>'
        f'<text x="{x(period_end)}" y="{HEIGHT - 6}" text-anchor="end">'
        f'{label("period_end", lang)} {period_end}</text>'
        f'<text x="{LEFT}" y="{HEIGHT - 6}">{points[0]["month"]}</text>'
        f'<polyline points="{" ".join(f"{a},{b}" for a, b in drawn)}" fill="none"'
        f' stroke="{ACTUAL}" stroke-width="2.5"/>{marks}')
    if last is not None and drawn:
        body += (f'<text x="{drawn[-1][0] + 6}" y="{drawn[-1][1] - 6}" font-weight="bold">'
                 f'{number(last["actual"])}</text>')
    return svg(WIDTH, HEIGHT, body, caption)


def progress_table(line: dict[str, Any], points: list[dict[str, Any]], lang: str) -> str:
    """The same line in numbers, about as tall as the chart: at most seven months evenly
    spaced (the last always), then the target and the period's end."""
    step = -(-len(points) // 6)  # ceil: 12 months every 2nd, 24 every 4th
    shown = [p for i, p in enumerate(points) if i % step == 0 or i == len(points) - 1]
    rows = [row(escape(p["month"]), number(p["actual"])) for p in shown]
    rows.append(row(f"{label('target', lang)}, {label('period_end', lang)}"
                    f" {escape(str(line['period_end']))}", number(line["target"])))
    return table([label("month", lang), label("actual", lang)], rows)


def approval(report: dict[str, Any], lang: str) -> str:
    """Whether the figures are approved, by whom and up to when, and what changed since."""
    approved = report.get("approval")
    if not approved:
        return f'<p class="muted" data-figure="approval">{label("unapproved", lang)}</p>'
    rows = [row(escape(catalogue.label(c["figure"], lang)),
                f'<td data-figure="approved:{escape(c["figure"])}">{raw(c["approved"])}</td>',
                raw(c["preliminary"]), str(c["events_since"])) for c in approved["changes"]]
    changes = table(["", label("approved", lang), label("now", lang), label("since", lang)],
                    rows) if rows else ""
    return (f'<p data-figure="approval" data-value="{escape(approved["approval_id"])}">'
            f"{label('approved_by', lang)}: {escape(approved['approved_by'])}, "
            f"{label('up_to', lang)} {escape(str(approved['up_to'])[:16])}"
            f" ({escape(approved.get('note') or '')}). {label('preliminary', lang)}:</p>"
            f"{changes}")
