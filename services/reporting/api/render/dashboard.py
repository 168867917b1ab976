"""A funder's dashboard: one self-contained HTML page, charts drawn server-side as inline
SVG (nothing fetched at view time: no CDN, no script), in Kazakh, Russian or English, each
chart with a table beside it that says the same in numbers. Printed (or saved as PDF) it
drops the navigation and keeps each chart whole on A4 (layout.STYLE).

Every figure carries `data-figure` (and `data-value` where a number is drawn), so that a
browser test can read what is shown and compare it with the JSON report."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import (
    diffusion,
    districts,
    indicators,
    money,
    outcomes,
    provenance,
    timeline,
    trends,
)
from services.reporting.api.render.layout import STYLE
from services.reporting.api.render.words import label
from services.reporting.figures.provenance import Provenance

LANGUAGES = ("kk", "ru", "en")


def page(report: dict[str, Any], district_lines: list[dict[str, Any]], lang: str,
         series: dict[str, list[tuple[Any, int]]] | None = None,
         recorded: Provenance | None = None) -> str:
    name = report.get(f"name_{lang}") or report.get("name_ru") or report["programme_id"]
    languages = " ".join(f'<a href="?lang={code}" hreflang="{code}">{code.upper()}</a>'
                         for code in LANGUAGES)
    period = report["period"]
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body>
<nav>{languages}</nav>
<h1 data-figure="programme">{escape(name)}</h1>
<p class="muted">{label("title", lang)} · {period["start"]} – {period["end"]}</p>
{timeline.approval(report, lang)}
<h2>{label("indicators", lang)}</h2>{indicators.section(report, lang)}
<h2>{label("progress", lang)}</h2>{timeline.progress(report, lang, diffusion.drawn(report))}
{diffusion.section(report, lang)}
<h2>{label("money", lang)}</h2>{money.section(report, lang)}
<h2>{label("outcomes", lang)}</h2>{outcomes.section(report, lang)}
<h2>{label("districts", lang)}</h2>{districts.section(district_lines, lang)}
<h2>{label("trends", lang)}</h2>{trends.section(report, series or {}, lang)}
{provenance.section(trends.audited(report), recorded or Provenance(), lang)}
</body></html>"""


def login_page(programme_id: str, error: str | None = None) -> str:
    warning = f'<p role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Baqylau</title><style>{STYLE}</style></head><body>
<h1>Baqylau</h1>{warning}
<form method="post" action="/v1/session">
<input type="hidden" name="programme_id" value="{escape(programme_id)}">
<label>Token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Open</button></form></body></html>"""
