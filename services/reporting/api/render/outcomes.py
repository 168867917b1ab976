"""The dashboard's learning outcomes: the programme's mean scores at baseline and endline
with their 95 % intervals, the share at or above the threshold and the pupils and schools
behind them (a table: two means of nearly equal size say more as numbers than as bars),
each subject with its scale and threshold; then the gains per model and against the
comparison group as points with whiskers (gains.py), the gain by group of schools
(groups.py) and what the terms mean (legend.py)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import gains, groups, legend
from services.reporting.api.render.layout import row, table
from services.reporting.api.render.shares import of_ratio
from services.reporting.api.render.subjects import caption, scale
from services.reporting.api.render.words import label

ROUNDS = ("baseline", "endline")


def _mean(o: dict[str, Any], phase: str, lang: str) -> str:
    figures = o.get(phase) or {}
    interval = figures.get("mean_ci")
    shown = (f"{escape(str(figures.get('mean')))}"
             + (f" [{escape(interval[0])}; {escape(interval[1])}]" if interval else ""))
    above = figures.get("share_at_or_above_threshold")
    return (f'<td data-figure="outcome:{o["grade"]}:{escape(o["subject"])}"'
            f' data-series="{label(phase, lang)}" data-value="{escape(str(figures.get("mean")))}"'
            f">{shown}</td><td class=\"n\">{'—' if above is None else of_ratio(above)}</td>"
            f"<td class=\"n\">{figures.get('pupils')} / {figures.get('schools')}</td>")


def _effect(o: dict[str, Any], lang: str) -> str:
    d = o.get("effect_size_d")
    return "—" if d is None else f"{escape(str(d))} · {legend.reading(d, lang)}"


def section(report: dict[str, Any], lang: str) -> str:
    lines = [o for o in report["learning_outcomes"]
             if o["split"] == "all" and o.get("baseline") and o.get("endline")]
    drawn = (gains.gains_table(report["learning_outcomes"], lang)
             + groups.section(report["learning_outcomes"], lang))
    if not lines and not drawn:
        return f"<p>{label('none', lang)}</p>"
    head = ["", label("scale", lang), *(w for phase in ROUNDS for w in (
        label(phase, lang), label("at_or_above", lang), label("pupils_schools", lang))),
        label("effect", lang)]
    rows = [row(escape(caption(o, lang)), f"<td>{escape(scale(o, lang)) or '—'}</td>",
                _mean(o, "baseline", lang), _mean(o, "endline", lang), _effect(o, lang))
            for o in lines]
    means = f"<h3>{label('means', lang)}</h3>" + table(head, rows) if rows else ""
    return means + drawn + legend.section(lang)
