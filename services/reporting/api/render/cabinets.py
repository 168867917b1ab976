"""Whether the cabinets work: how many were allocated, delivered, commissioned and are
working now; faults reported, open and resolved and how long they took; the internet speed
against what the programme needs, as key figures, the schools by their slowest cabinet's
speed, and the schools a funder would call about (an open fault or slow internet) with
their district by name."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from services.reporting.api.render.layout import figure, number, raw, row, svg, table
from services.reporting.api.render.splits import district_html
from services.reporting.api.render.words import label

# The speed bands, as multiples of the programme's need (the report's internet_need_mbps:
# at 10 Mbps, 0–5, 5–10, 10–20, 20–50, ≥ 50), so the need is always a band's edge.
BAND_EDGES = (Decimal(0), Decimal("0.5"), Decimal(1), Decimal(2), Decimal(5))
WIDTH, NAMES, BARS, BAR = 560, 110, 340, 18
SLOW, FAST = "#b03a2e", "#2e6b30"


def _need(cabinets: dict[str, Any]) -> Decimal:
    """What the programme needs per cabinet, in Mbps, as the report says it."""
    return Decimal(cabinets["internet_need_mbps"])


def bands(need: Decimal) -> list[tuple[Decimal, Decimal | None]]:
    """The bands of speed the schools are counted in, lower bound included."""
    edges = [edge * need for edge in BAND_EDGES]
    return list(zip(edges, [*edges[1:], None], strict=True))


def _mbps(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _box(key: str, value: Any, text: str, alert: bool = False) -> str:
    css = ' class="alert"' if alert else ""
    return (f'<div{css}><b data-figure="cabinets:{key}" data-value="{raw(value)}">'
            f"{number(value)}</b><span>{escape(text)}</span></div>")


def key_figures(c: dict[str, Any], lang: str) -> str:
    need = _mbps(_need(c))
    days = (f"{number(c['days_to_resolve_median'])} / {number(c['days_to_resolve_max'])}"
            if c.get("days_to_resolve_median") is not None else "—")
    boxes = [_box(k, c[k], label(k, lang)) for k in
             ("allocated", "delivered", "commissioned", "working")]
    boxes += [_box("faults_reported", c["faults_reported"], label("faults_reported", lang)),
              _box("faults_open", c["faults_open"], label("faults_open", lang),
                   alert=bool(c["faults_open"])),
              _box("faults_resolved", c["faults_resolved"], label("faults_resolved", lang)),
              f'<div><b data-figure="cabinets:days_to_resolve_median"'
              f' data-value="{raw(c.get("days_to_resolve_median"))}">{days}</b>'
              f'<span>{label("days_to_resolve", lang)}</span></div>',
              _box("internet_mbps_median", c.get("internet_mbps_median"),
                   f"{label('internet_median', lang)}, {label('mbps', lang)}"),
              _box("cabinets_below_need", c["cabinets_below_need"],
                   label("cabinets_below_need", lang).format(need=need),
                   alert=bool(c["cabinets_below_need"])),
              _box("schools_below_need", c["schools_below_need"],
                   label("schools_below_need", lang).format(need=need),
                   alert=bool(c["schools_below_need"]))]
    return f'<div class="keyfigures">{"".join(boxes)}</div>'


def section(report: dict[str, Any], lang: str) -> str:
    c = report.get("cabinets")
    if not c or not (c.get("allocated") or c.get("delivered") or c.get("schools")):
        return ""
    need = _mbps(_need(c))
    return (f"<h2>{label('cabinets', lang)}</h2>" + key_figures(c, lang)
            + _speeds(c, lang) + _watched(c, lang)
            + f'<p class="muted">{label("cabinets_note", lang).format(need=need)}</p>')


def _band(low: Decimal, high: Decimal | None) -> str:
    return f"{_mbps(low)}–{_mbps(high)}" if high is not None else f"≥ {_mbps(low)}"


def _speeds(c: dict[str, Any], lang: str) -> str:
    """How many schools' slowest cabinet falls in each band of speed; bands below the
    need drawn in red (and hatched by their label's ✗, for black and white)."""
    speeds = [Decimal(s["internet_mbps"]) for s in c.get("schools", [])
              if s.get("internet_mbps") is not None]
    if not speeds:
        return ""
    need = _need(c)
    counted = bands(need)
    counts = [sum(1 for v in speeds if v >= low and (high is None or v < high))
              for low, high in counted]
    top, out, y, rows = max(counts + [1]), [], 0, []
    for (low, high), n in zip(counted, counts, strict=True):
        slow = high is not None and high <= need
        mark = " ✗" if slow else ""
        width = max(int(BARS * n / top), 1)
        out.append(f'<text x="{NAMES - 8}" y="{y + 14}" text-anchor="end">'
                   f"{_band(low, high)}{mark}</text>"
                   f'<rect x="{NAMES}" y="{y + 1}" width="{width}" height="{BAR}"'
                   f' fill="{SLOW if slow else FAST}"/>'
                   f'<text x="{NAMES + width + 6}" y="{y + 14}">{n}</text>')
        rows.append(row(f"{_band(low, high)}{mark}",
                        f'<td data-figure="speed:{_mbps(low)}" data-value="{n}">{n}</td>'))
        y += BAR + 8
    caption = label("speed_heading", lang).format(need=_mbps(need))
    head = [label("mbps", lang), label("schools", lang)]
    return (f"<h3>{escape(caption)}</h3>"
            + figure(svg(WIDTH, y, "".join(out), caption, css="large"), table(head, rows)))


def watched(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The schools with an open fault or a cabinet slower than the need, in the report's
    order (open faults first, then the slowest)."""
    need = _need(c)
    return [s for s in c.get("schools", []) if s.get("faults_open") or (
        s.get("internet_mbps") is not None and Decimal(s["internet_mbps"]) < need)]


def _watched(c: dict[str, Any], lang: str) -> str:
    schools = watched(c)
    if not schools:
        return f"<p>{label('all_schools_fine', lang)}</p>"
    need = _need(c)
    rows = []
    for s in schools:
        slow = s.get("internet_mbps") is not None and Decimal(s["internet_mbps"]) < need
        rows.append(row(
            escape(s.get("name_ru") or s["organisation_id"]),
            f'<td>{district_html(s, lang, str(s.get("district_code") or ""))}</td>',
            number(s["cabinets"]), number(s["commissioned"]), number(s["working"]),
            f'<td data-figure="school-faults:{escape(s["organisation_id"])}"'
            f' data-value="{s["faults_open"]}"{_alert(bool(s["faults_open"]))}>'
            f'{s["faults_open"]}</td>', number(s["faults_resolved"]),
            f'<td data-figure="school-internet:{escape(s["organisation_id"])}"'
            f' data-value="{raw(s.get("internet_mbps"))}"{_alert(slow)}>'
            f'{number(s.get("internet_mbps"))}</td>'))
    head = [label(k, lang) for k in ("school_name", "district", "cabinets_count",
                                     "commissioned", "working", "faults_open",
                                     "faults_resolved", "internet_slowest")]
    return f"<h3>{label('schools_to_watch', lang)}</h3>" + table(head, rows)


def _alert(on: bool) -> str:
    return ' class="alert"' if on else ""
