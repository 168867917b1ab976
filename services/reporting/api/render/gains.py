"""The dashboard's gains: for each grade and subject, the matched pupils' gain of the whole
programme, of each development model and of the comparison schools as points with their
95 % interval as whiskers, on one scale with zero marked, in a table that also gives the
numbers, the pupils and schools behind them, and the difference in differences.

Drawn on the server as inline SVG, one small picture per table row: no script, nothing
fetched, so the page keeps its strict Content-Security-Policy."""

from __future__ import annotations

from html import escape
from typing import Any, Callable

from services.reporting.api.render.words import word

COLOURS = {"all": "#1f77b4", "comparison": "#7f7f7f"}
MODEL_COLOUR = "#2ca02c"
WIDTH, HEIGHT, PAD = 220, 18, 8


def group_name(split: str, lang: str) -> str:
    return word(split.removeprefix("model:"), lang)


def _shown(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells with a gain, for the programme, each model and the comparison schools."""
    return [o for o in outcomes if o.get("gain") is not None
            and (o["split"] in ("all", "comparison") or o["split"].startswith("model:"))]


def _scale(lines: list[dict[str, Any]]) -> Callable[[float], int]:
    values = [0.0] + [float(v) for o in lines
                      for v in [o["gain"], *(o.get("gain_ci") or [])] if v is not None]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return lambda v: int(PAD + (WIDTH - 2 * PAD) * (v - low) / span)


def _point(o: dict[str, Any], x: Callable[[float], int]) -> str:
    colour = COLOURS.get(o["split"], MODEL_COLOUR)
    key = f"gain:{o['endline_round_id']}:{o['grade']}:{o['subject']}:{o['split']}"
    whisker = ""
    if o.get("gain_ci"):
        low, high = (x(float(v)) for v in o["gain_ci"])
        middle = HEIGHT // 2
        whisker = (f'<line x1="{low}" y1="{middle}" x2="{high}" y2="{middle}"'
                   f' stroke="{colour}"/>'
                   + "".join(f'<line x1="{e}" y1="{middle - 4}" x2="{e}" y2="{middle + 4}"'
                             f' stroke="{colour}"/>' for e in (low, high)))
    zero = x(0.0)
    return (f'<svg width="{WIDTH}" height="{HEIGHT}" role="img">'
            f'<line x1="{zero}" y1="0" x2="{zero}" y2="{HEIGHT}" stroke="#c9d6e3"/>'
            f'{whisker}<circle cx="{x(float(o["gain"]))}" cy="{HEIGHT // 2}" r="4"'
            f' fill="{colour}" data-figure="{escape(key)}" data-value="{escape(o["gain"])}"/>'
            f'</svg>')


def _interval(values: list[str] | None) -> str:
    return f"[{values[0]}; {values[1]}]" if values else "—"


def gains_table(outcomes: list[dict[str, Any]], lang: str,
                subject_name: Callable[[str, str], str], grade_word: str) -> str:
    lines = _shown(outcomes)
    if not lines:
        return ""
    x = _scale(lines)
    head = "".join(f"<th>{escape(word(k, lang)) if k else ''}</th>" for k in (
        "", "group", "", "gain", "interval", "pupils_schools", "did", "interval"))
    body = []
    for o in lines:
        caption = f"{grade_word} {o['grade']} · {subject_name(o['subject'], lang)}"
        body.append(
            f"<tr><td>{escape(caption)}</td><td>{escape(group_name(o['split'], lang))}</td>"
            f"<td>{_point(o, x)}</td><td>{escape(o['gain'])}</td>"
            f"<td>{escape(_interval(o.get('gain_ci')))}</td>"
            f"<td>{o.get('matched_pupils')} / {o.get('matched_schools')}</td>"
            f"<td>{escape(o.get('difference_in_differences') or '—')}</td>"
            f"<td>{escape(_interval(o.get('difference_in_differences_ci')))}</td></tr>")
    return (f"<h3>{escape(word('gains', lang))}</h3>"
            f"<table><tr>{head}</tr>{''.join(body)}</table>")
