"""The dashboard's diffusion: how many schools have adopted a league's practices, month by
month against the target (the `practices_adopted` indicator's own line: one definition of
the count), and each practice with its direction, the school that published it and the
schools that took it up."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import timeline
from services.reporting.api.render.layout import figure, raw, row, table
from services.reporting.api.render.words import label

CURVE = "practices_adopted"


def drawn(report: dict[str, Any]) -> tuple[str, ...]:
    """The indicator this section draws, so that the progress charts do not draw it twice."""
    return (CURVE,) if report.get("diffusion") else ()


def section(report: dict[str, Any], lang: str) -> str:
    practices = report.get("diffusion") or []
    if not practices:
        return ""
    columns = ["practice", "direction", "school", "published", "adopters", "last"]
    rows = [row(f"{escape(p['code'] or '')} · {escape(p['title'] or '')}",
                escape(p["direction"] or ""), escape(p["school_id"]),
                raw(p["published_on"]),
                f'<td data-figure="diffusion:{escape(p["practice_id"])}">'
                f'{p["adopting_schools"]}</td>',
                escape(p["adoptions"][-1]["adopted_on"]) if p["adoptions"] else "—")
            for p in practices]
    return (f"<h2>{label('diffusion', lang)}</h2>{_curve(report, lang)}"
            + table([label(c, lang) for c in columns], rows))


def _curve(report: dict[str, Any], lang: str) -> str:
    line = next((i for i in report["indicators"] if i["indicator"] == CURVE), None)
    if line is None or not line.get("progress"):
        return ""
    caption = label("adopting_schools", lang)
    return (f'<div class="keep"><h3>{escape(caption)}</h3>'
            + figure(timeline.chart(line, line["progress"], "diffusion-curve", lang, caption),
                     timeline.progress_table(line, line["progress"], lang)) + "</div>")
