"""The dashboard's learning outcomes: the programme's mean scores at baseline and endline
with their 95 % intervals and the pupils and schools behind them (a table: two means of
nearly equal size say more as numbers than as bars), then the gains per model and against
the comparison group as points with whiskers (gains.py)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import gains
from services.reporting.api.render.layout import row, table
from services.reporting.api.render.words import label, subject_name

ROUNDS = ("baseline", "endline")


def caption(o: dict[str, Any], lang: str) -> str:
    return f"{label('grade', lang)} {o['grade']} · {subject_name(o['subject'], lang)}"


def _mean(o: dict[str, Any], phase: str, lang: str) -> str:
    figures = o.get(phase) or {}
    interval = figures.get("mean_ci")
    shown = (f"{escape(str(figures.get('mean')))}"
             + (f" [{escape(interval[0])}; {escape(interval[1])}]" if interval else ""))
    return (f'<td data-figure="outcome:{o["grade"]}:{escape(o["subject"])}"'
            f' data-series="{label(phase, lang)}" data-value="{escape(str(figures.get("mean")))}"'
            f">{shown}</td><td>{figures.get('pupils')} / {figures.get('schools')}</td>")


def section(report: dict[str, Any], lang: str) -> str:
    lines = [o for o in report["learning_outcomes"]
             if o["split"] == "all" and o.get("baseline") and o.get("endline")]
    drawn = gains.gains_table(report["learning_outcomes"], lang)
    if not lines:
        return drawn or f"<p>{label('none', lang)}</p>"
    head = ["", *(w for phase in ROUNDS for w in (label(phase, lang),
                                                  label("pupils_schools", lang))),
            label("effect", lang)]
    rows = [row(escape(caption(o, lang)), _mean(o, "baseline", lang),
                _mean(o, "endline", lang), escape(str(o.get("effect_size_d") or "—")))
            for o in lines]
    return f"<h3>{label('means', lang)}</h3>" + table(head, rows) + drawn
