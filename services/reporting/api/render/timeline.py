"""The dashboard's time: each targeted indicator's line month by month over the programme's
own time against its target, and a league's practices with the schools that took them up.
Drawn on the server as SVG with a table beside each chart, like the rest of the page."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.words import label
from services.reporting.figures import catalogue

WIDTH, HEIGHT = 520, 120


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def progress(report: dict[str, Any], lang: str) -> str:
    """One chart per targeted indicator: its monthly line, the target as a dashed line."""
    out = []
    for line in report["indicators"]:
        points = line.get("progress") or []
        if not points:
            continue
        name = catalogue.label(line["indicator"], lang)
        unit = " %" if line["measure"] == "percentage" else ""
        out.append(f"<h3>{escape(name)}{unit}</h3>{_chart(line, points)}{_table(points, lang)}")
    return "".join(out)


def _chart(line: dict[str, Any], points: list[dict[str, Any]]) -> str:
    target = float(line["target"])
    top = max([target, *[float(p["actual"] or 0) for p in points], 1.0])
    step = WIDTH / max(len(points) - 1, 1)

    def y(value: float) -> int:
        return int(HEIGHT - 6 - (HEIGHT - 12) * value / top)
    xy = [(int(i * step), y(float(p["actual"] or 0))) for i, p in enumerate(points)]
    dots = "".join(f'<circle cx="{x}" cy="{v}" r="2.5" fill="#1f77b4" data-figure='
                   f'"progress:{escape(line["indicator"])}:{p["month"]}"'
                   f' data-value="{_shown(p["actual"])}"/>'
                   for (x, v), p in zip(xy, points, strict=True))
    return (f'<svg width="{WIDTH + 8}" height="{HEIGHT}" role="img">'
            f'<line x1="0" x2="{WIDTH}" y1="{y(target)}" y2="{y(target)}" stroke="#c0392b"'
            f' stroke-dasharray="5,4" data-figure="progress-target:'
            f'{escape(line["indicator"])}" data-value="{line["target"]}"/>'
            f'<polyline points="{" ".join(f"{x},{v}" for x, v in xy)}" fill="none"'
            f' stroke="#1f77b4" stroke-width="2"/>{dots}</svg>')


def _table(points: list[dict[str, Any]], lang: str) -> str:
    """The same line as a table: every third month and the last, readable without the chart."""
    shown = [p for i, p in enumerate(points) if i % 3 == 0 or i == len(points) - 1]
    head = "".join(f"<th>{escape(p['month'])}</th>" for p in shown)
    cells = "".join(f"<td>{_shown(p['actual'])}</td>" for p in shown)
    return (f'<table><tr><th>{label("month", lang)}</th>{head}</tr>'
            f"<tr><td></td>{cells}</tr></table>")


def diffusion(report: dict[str, Any], lang: str) -> str:
    """The league's practices: who published each, how many schools took it up."""
    practices = report.get("diffusion") or []
    if not practices:
        return ""
    columns = ["practice", "direction", "school", "published", "adopters", "last"]
    head = "".join(f"<th>{label(c, lang)}</th>" for c in columns)
    rows = "".join(
        f"<tr><td>{escape(p['code'] or '')} · {escape(p['title'] or '')}</td>"
        f"<td>{escape(p['direction'] or '')}</td><td>{escape(p['school_id'])}</td>"
        f"<td>{_shown(p['published_on'])}</td>"
        f'<td data-figure="diffusion:{escape(p["practice_id"])}">{p["adopting_schools"]}</td>'
        f"<td>{escape(p['adoptions'][-1]['adopted_on']) if p['adoptions'] else '—'}</td></tr>"
        for p in practices)
    return f"<h2>{label('diffusion', lang)}</h2><table><tr>{head}</tr>{rows}</table>"


def approval(report: dict[str, Any], lang: str) -> str:
    """Whether the figures are approved, by whom and up to when, and what changed since."""
    approved = report.get("approval")
    if not approved:
        return f'<p class="muted" data-figure="approval">{label("unapproved", lang)}</p>'
    rows = "".join(
        f"<tr><td>{escape(catalogue.label(c['figure'], lang))}</td>"
        f'<td data-figure="approved:{escape(c["figure"])}">{_shown(c["approved"])}</td>'
        f"<td>{_shown(c['preliminary'])}</td><td>{c['events_since']}</td></tr>"
        for c in approved["changes"])
    table = (f"<table><tr><th></th><th>{label('approved', lang)}</th>"
             f"<th>{label('now', lang)}</th><th>{label('since', lang)}</th></tr>{rows}"
             "</table>") if rows else ""
    return (f'<p data-figure="approval" data-value="{escape(approved["approval_id"])}">'
            f"{label('approved_by', lang)}: {escape(approved['approved_by'])}, "
            f"{label('up_to', lang)} {escape(str(approved['up_to'])[:16])}"
            f" ({escape(approved.get('note') or '')}). {label('preliminary', lang)}:</p>"
            f"{table}")
