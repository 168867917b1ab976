"""The dashboard's gains: for each grade and subject, the matched pupils' gain of the whole
programme, of each development model and of the comparison schools as points with their
95 % interval as whiskers, on one scale with zero marked, in a table that also gives the
numbers, the pupils and schools behind them, and the difference in differences.

Drawn on the server as inline SVG, one small picture per table row: no script, nothing
fetched, so the page keeps its strict Content-Security-Policy."""

from __future__ import annotations

from html import escape
from typing import Any, Callable

from services.reporting.api.render.layout import svg
from services.reporting.api.render.splits import split_name
from services.reporting.api.render.words import label, subject_name, word

COLOURS = {"all": "#1f4e79", "comparison": "#555555"}
MODEL_COLOUR = "#2e6b30"
WIDTH, HEIGHT, PAD = 220, 18, 8


def group_name(split: str, lang: str) -> str:
    return split_name({"split": split}, lang)


def _shown(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells with a gain, for the programme, each model and the comparison schools."""
    return [o for o in outcomes if o.get("gain") is not None
            and (o["split"] in ("all", "comparison") or o["split"].startswith("model:"))]


def _scale(lines: list[dict[str, Any]]) -> tuple[Callable[[float], int], float, float]:
    values = [0.0] + [float(v) for o in lines
                      for v in [o["gain"], *(o.get("gain_ci") or [])] if v is not None]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return (lambda v: int(PAD + (WIDTH - 2 * PAD) * (v - low) / span)), low, high


def _marker(split: str, cx: int, extra: str) -> str:
    """The programme a filled circle, a model a filled square, the comparison schools a
    hollow circle: told apart in black and white too."""
    middle = HEIGHT // 2
    if split == "all":
        return f'<circle cx="{cx}" cy="{middle}" r="4.5" fill="{COLOURS["all"]}"{extra}/>'
    if split == "comparison":
        return (f'<circle cx="{cx}" cy="{middle}" r="4" fill="#fff" stroke-width="2"'
                f' stroke="{COLOURS["comparison"]}"{extra}/>')
    return (f'<rect x="{cx - 4}" y="{middle - 4}" width="8" height="8"'
            f' fill="{MODEL_COLOUR}"{extra}/>')


def _point(o: dict[str, Any], x: Callable[[float], int], lang: str) -> str:
    colour = COLOURS.get(o["split"], MODEL_COLOUR)
    key = f"gain:{o['endline_round_id']}:{o['grade']}:{o['subject']}:{o['split']}"
    whisker = ""
    if o.get("gain_ci"):
        low, high = (x(float(v)) for v in o["gain_ci"])
        middle = HEIGHT // 2
        whisker = (f'<line x1="{low}" y1="{middle}" x2="{high}" y2="{middle}"'
                   f' stroke="{colour}" stroke-width="1.5"/>'
                   + "".join(f'<line x1="{e}" y1="{middle - 4}" x2="{e}" y2="{middle + 4}"'
                             f' stroke="{colour}" stroke-width="1.5"/>' for e in (low, high)))
    zero = x(0.0)
    figure = f' data-figure="{escape(key)}" data-value="{escape(o["gain"])}"'
    return svg(WIDTH, HEIGHT,
               f'<line x1="{zero}" y1="0" x2="{zero}" y2="{HEIGHT}" stroke="#888"/>'
               f'{whisker}{_marker(o["split"], x(float(o["gain"])), figure)}',
               group_name(o["split"], lang))


def _axis(x: Callable[[float], int], low: float, high: float, lang: str) -> str:
    """The scale all rows share: its ends and zero."""
    ticks = {round(low, 1): "start", 0.0: "middle", round(high, 1): "end"}
    return svg(WIDTH, 14, "".join(
        f'<text x="{x(value)}" y="11" text-anchor="{anchor}">{value:g}</text>'
        for value, anchor in ticks.items()), label("gain_scale", lang))


def _cell(o: dict[str, Any]) -> tuple[str, int, str]:
    return (o["endline_round_id"], o["grade"], o["subject"])


def _interval(values: list[str] | None) -> str:
    return f"[{values[0]}; {values[1]}]" if values else "—"


def gains_table(outcomes: list[dict[str, Any]], lang: str) -> str:
    # Each grade and subject's groups together (a stable sort keeps the report's group order).
    lines = sorted(_shown(outcomes), key=_cell)
    if not lines:
        return ""
    x, low, high = _scale(lines)
    axis = _axis(x, low, high, lang)
    head = "".join(f"<th>{axis if k == 'scale' else escape(word(k, lang))}</th>"
                   if k else "<th></th>" for k in (
        "", "group", "scale", "gain", "interval", "pupils_schools", "did", "interval"))
    body, previous = [], None
    for o in lines:
        cell = _cell(o)
        first = cell != previous
        previous = cell
        caption = ""
        if first:  # one caption per grade and subject, over its groups' rows
            rows = sum(1 for other in lines if _cell(other) == cell)
            caption = (f'<td rowspan="{rows}">{label("grade", lang)} {o["grade"]} · '
                       f'{escape(subject_name(o["subject"], lang))}</td>')
        body.append(
            f'<tr class="{"first" if first else ""}">{caption}'
            f"<td>{escape(group_name(o['split'], lang))}</td>"
            f"<td>{_point(o, x, lang)}</td><td class=\"n\">{escape(o['gain'])}</td>"
            f"<td class=\"n\">{escape(_interval(o.get('gain_ci')))}</td>"
            f"<td class=\"n\">{o.get('matched_pupils')} / {o.get('matched_schools')}</td>"
            f"<td class=\"n\">{escape(o.get('difference_in_differences') or '—')}</td>"
            f"<td class=\"n\">{escape(_interval(o.get('difference_in_differences_ci')))}</td>"
            "</tr>")
    return (f"<h3>{escape(word('gains', lang))}</h3>"
            f'<table class="gains"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')
