"""The gain by group of schools: small schools and the others, and each district by its
name, one row each, against each grade and subject (one column each): where the programme
worked better or worse, at a glance. The groups' codes (`district:1540`, `small_class`)
are never shown; splits.py names them."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import table
from services.reporting.api.render.splits import split_name
from services.reporting.api.render.subjects import caption
from services.reporting.api.render.words import label

SIZES = ("small_class", "other")


def _grouped(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in outcomes if o.get("gain") is not None
            and (o["split"] in SIZES or o["split"].startswith("district:"))]


def section(outcomes: list[dict[str, Any]], lang: str) -> str:
    lines = _grouped(outcomes)
    if not lines:
        return ""
    columns = sorted({(o["endline_round_id"], o["grade"], o["subject"]): o
                      for o in lines}.items())
    splits = {o["split"]: o for o in lines}
    order = sorted(splits, key=lambda s: (0, str(SIZES.index(s))) if s in SIZES
                   else (1, split_name(splits[s], lang)))
    cells = {(o["endline_round_id"], o["grade"], o["subject"], o["split"]): o for o in lines}
    rows = []
    for split in order:
        shown = "".join(_cell(cells.get((*column, split))) for column, _ in columns)
        rows.append(f"<tr><td>{escape(split_name(splits[split], lang))}</td>{shown}</tr>")
    head = [label("group", lang), *(escape(caption(o, lang)) for _, o in columns)]
    return f"<h3>{label('by_group', lang)}</h3>" + table(head, rows, "groups")


def _cell(o: dict[str, Any] | None) -> str:
    if o is None:
        return '<td class="n">—</td>'
    key = f"group-gain:{o['endline_round_id']}:{o['grade']}:{o['subject']}:{o['split']}"
    interval = o.get("gain_ci")
    title = (f' title="[{escape(interval[0])}; {escape(interval[1])}],'
             f' {o.get("matched_pupils")} / {o.get("matched_schools")}"' if interval else "")
    return (f'<td data-figure="{escape(key)}" data-value="{escape(o["gain"])}"{title}>'
            f'{escape(o["gain"])}</td>')
