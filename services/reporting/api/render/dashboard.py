"""A funder's dashboard: one self-contained HTML page, charts drawn server-side as inline
SVG (nothing fetched at view time: no CDN, no script), in Kazakh, Russian or English, each
chart with a table beside it that says the same in numbers. Printed (or saved as PDF) it
drops the navigation and keeps each chart whole on A4 (layout.STYLE).

Every figure carries `data-figure` (and `data-value` where a number is drawn), so that a
browser test can read what is shown and compare it with the JSON report."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from services.reporting.api.render import (
    cabinets,
    development,
    diffusion,
    districts,
    indicators,
    login,
    money,
    outcomes,
    provenance,
    timeline,
    trends,
)
from services.reporting.api.render.layout import STYLE
from services.reporting.api.render.words import label
from services.reporting.figures.places import LANGUAGES
from services.reporting.figures.provenance import Provenance


def page(report: dict[str, Any], district_lines: list[dict[str, Any]], lang: str,
         series: dict[str, list[tuple[Any, int]]] | None = None,
         recorded: Provenance | None = None, as_of: str | None = None) -> str:
    """The page in `lang`; `as_of` the moment asked for (`?as_of=`), kept in its links."""
    name = report.get(f"name_{lang}") or report.get("name_ru") or report["programme_id"]
    period = report["period"]
    moment = (f' · <span data-figure="as_of" data-value="{escape(as_of)}">'
              f'{label("as_of", lang).format(moment=escape(as_of))}</span>' if as_of else "")
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body>
{_navigation(report["programme_id"], lang, as_of)}
<h1 data-figure="programme">{escape(name)}</h1>
<p class="muted">{label("title", lang)} · {period["start"]} – {period["end"]}{moment}</p>
{timeline.approval(report, lang)}
<h2>{label("indicators", lang)}</h2>{indicators.section(report, lang)}
<h2>{label("progress", lang)}</h2>{timeline.progress(report, lang, diffusion.drawn(report))}
{diffusion.section(report, lang)}
<h2>{label("money", lang)}</h2>{money.section(report, lang)}
{cabinets.section(report, lang)}
<h2>{label("outcomes", lang)}</h2>{outcomes.section(report, lang)}
{development.section(report, lang)}
<h2>{label("districts", lang)}</h2>{districts.section(district_lines, lang)}
<h2>{label("trends", lang)}</h2>{trends.section(report, series or {}, lang)}
{provenance.section(trends.audited(report), recorded or Provenance(), lang)}
</body></html>"""


def _query(lang: str, as_of: str | None) -> str:
    return urlencode({"lang": lang, **({"as_of": as_of} if as_of else {})})


def pdf_link(programme_id: str, lang: str, as_of: str | None = None) -> str:
    """The report to print, in the page's language and as of the page's moment."""
    return (f"/v1/programmes/{quote(programme_id, safe='')}/report.pdf?"
            f"{_query(lang, as_of)}")


def _navigation(programme_id: str, lang: str, as_of: str | None) -> str:
    """The languages (at the same moment) and the PDF; none of it printed."""
    languages = " ".join(
        f'<a href="?{escape(_query(code, as_of))}" hreflang="{code}">{code.upper()}</a>'
        for code in LANGUAGES)
    return (f'<nav>{languages} <a class="pdf" data-figure="pdf"'
            f' href="{escape(pdf_link(programme_id, lang, as_of))}">{label("pdf", lang)}</a>'
            "</nav>")


def login_page(programme_id: str, lang: str = login.DEFAULT, error: str | None = None) -> str:
    """The login form in `lang` (kk, ru or en); `error` a key of login.WORDS."""
    return login.page(programme_id, lang, error)
