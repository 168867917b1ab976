"""A funder's dashboard: one self-contained HTML page, charts drawn server-side as inline
SVG (nothing fetched at view time: no CDN, no script), in Kazakh, Russian or English.

Every figure carries `data-figure` (and `data-value` where a number is drawn as a bar), so
that a browser test can read what is shown and compare it with the JSON report."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render import gains, timeline
from services.reporting.api.render.words import LABELS, label
from services.reporting.figures import catalogue

LANGUAGES = ("kk", "ru", "en")
# Subjects are the assessment rounds' own keys (a round may add any); the usual ones of
# Kazakhstan's curriculum are named here, any other is shown as its key, readably.
SUBJECT_NAMES: dict[str, dict[str, str]] = {
    "math": {"kk": "Математика", "ru": "Математика", "en": "Mathematics"},
    "natural_science": {"kk": "Жаратылыстану", "ru": "Естествознание",
                        "en": "Natural science"},
    "algebra": {"kk": "Алгебра", "ru": "Алгебра", "en": "Algebra"},
    "geometry": {"kk": "Геометрия", "ru": "Геометрия", "en": "Geometry"},
    "kazakh_language": {"kk": "Қазақ тілі", "ru": "Казахский язык", "en": "Kazakh language"},
    "russian_language": {"kk": "Орыс тілі", "ru": "Русский язык", "en": "Russian language"},
    "english_language": {"kk": "Ағылшын тілі", "ru": "Английский язык",
                         "en": "English language"},
    "reading_literacy": {"kk": "Оқу сауаттылығы", "ru": "Читательская грамотность",
                         "en": "Reading literacy"},
    "physics": {"kk": "Физика", "ru": "Физика", "en": "Physics"},
    "chemistry": {"kk": "Химия", "ru": "Химия", "en": "Chemistry"},
    "biology": {"kk": "Биология", "ru": "Биология", "en": "Biology"},
    "geography": {"kk": "География", "ru": "География", "en": "Geography"},
    "informatics": {"kk": "Информатика", "ru": "Информатика", "en": "Computer science"},
    "history_of_kazakhstan": {"kk": "Қазақстан тарихы", "ru": "История Казахстана",
                              "en": "History of Kazakhstan"},
}
STYLE = """
body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#1d2733;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;color:#0b5a8a}
table{border-collapse:collapse;font-size:13px} td,th{padding:3px 8px;text-align:right}
th{background:#eef3f7} td:first-child,th:first-child{text-align:left}
nav a{margin-right:10px} .muted{color:#6b7785;font-size:12px}
svg text{font-size:12px;fill:#1d2733}
"""
WIDTH, LEFT, BAR_AREA, ROW = 1100, 400, 440, 26


def subject_name(key: str, lang: str) -> str:
    names = SUBJECT_NAMES.get(key)
    return names[lang] if names else key.replace("_", " ")


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else str(value)


def _bars(rows: list[tuple[str, str, list[tuple[str, float, str]]]]) -> str:
    """Horizontal grouped bars: rows of (figure key, caption, [(series, value, colour)]),
    each series scaled to the row's largest value."""
    height = ROW * sum(len(series) for _, _, series in rows) + 12 * len(rows)
    out = [f'<svg width="{WIDTH}" height="{height}" role="img">']
    y = 0
    for key, caption, series in rows:
        top = max([value for _, value, _ in series] + [1])
        out.append(f'<text x="0" y="{y + 16}">{escape(caption)}</text>')
        for name, value, colour in series:
            width = int(BAR_AREA * value / top)
            out.append(
                f'<rect x="{LEFT}" y="{y + 4}" width="{width}" height="{ROW - 8}"'
                f' fill="{colour}"'
                f' data-figure="{escape(key)}" data-series="{escape(name)}"'
                f' data-value="{value}"/>'
                f'<text x="{LEFT + 6 + width}" y="{y + 17}">'
                f'{escape(name)}: {_number(value)}</text>')
            y += ROW
        y += 12
    out.append("</svg>")
    return "".join(out)


def _indicators(report: dict[str, Any], lang: str) -> str:
    rows = []
    for line in report["indicators"]:
        name = catalogue.label(line["indicator"], lang)
        if line["measure"] == "percentage":  # the share, and of how many
            name += f", % ({_number(line['numerator'])} / {_number(line['denominator'])})"
        rows.append((line["indicator"], name, [
            (label("target", lang), float(line["target"]), "#c9d6e3"),
            (label("actual", lang), float(line["actual"] or 0), "#1f77b4")]))
    return _bars(rows) if rows else f"<p>{label('none', lang)}</p>"


def _money(report: dict[str, Any], lang: str) -> str:
    rows = [(f"money:{line['commitment_id']}", _commitment_caption(line, lang), [
        (label("committed", lang), line["committed_kzt"], "#c9d6e3"),
        (label("disbursed", lang), line["disbursed_kzt"], "#8fb3d1"),
        (label("spent", lang), line["spent_kzt"], "#2ca02c")])
        for line in report["money"]["commitments"]]
    totals = report["money"]
    summary = "<p>" + " · ".join(
        f'<span data-figure="{name}_kzt">{label(name, lang)}: '
        f'{_number(totals[f"{name}_kzt"])}</span>'
        for name in ("committed", "disbursed", "procured", "spent", "remaining")) + "</p>"
    return summary + (_bars(rows) if rows else "")


def _commitment_caption(line: dict[str, Any], lang: str) -> str:
    """Who committed the money, named in the chosen language (else Russian, else the id),
    and what it pays for."""
    funder = line.get(f"funder_name_{lang}") or line.get("funder_name_ru") or line["funder_id"]
    scope = LABELS.get(f"scope_{line['scope']}", {}).get(lang, line["scope"])
    return f"{funder} · {scope}"


def _outcomes(report: dict[str, Any], lang: str) -> str:
    lines = [o for o in report["learning_outcomes"] if o["split"] == "all"]
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    rows = [(f"outcome:{o['grade']}:{o['subject']}",
             f"{label('grade', lang)} {o['grade']} · {subject_name(o['subject'], lang)} · "
             f"{label('effect', lang)} {o.get('effect_size_d')}", [
                 (label("baseline", lang), float(o["baseline"]["mean"]), "#ff7f0e"),
                 (label("endline", lang), float(o["endline"]["mean"]), "#9467bd")])
            for o in lines if o.get("baseline") and o.get("endline")]
    return _bars(rows) + gains.gains_table(report["learning_outcomes"], lang, subject_name,
                                           label("grade", lang))


def _trends(report: dict[str, Any], series: dict[str, list[tuple[Any, int]]],
            lang: str) -> str:
    """One line per targeted indicator and for money procured: its value at the end of
    each day the service recorded, oldest on the left."""
    wanted = [line["indicator"] for line in report["indicators"]] + ["procured_kzt"]
    shown = [(name, series[name]) for name in wanted if series.get(name)]
    if not shown:
        return f"<p>{label('none', lang)}</p>"
    width, height, out = 240, 60, []
    for name, points in shown:
        top = max(value for _, value in points) or 1
        step = width / max(len(points) - 1, 1)
        xy = [(int(i * step), int(height - 4 - (height - 8) * value / top))
              for i, (_, value) in enumerate(points)]
        caption = (label("procured", lang) if name == "procured_kzt"
                   else catalogue.label(name, lang))
        dots = "".join(f'<circle cx="{x}" cy="{y}" r="3" fill="#1f77b4"'
                       f' data-figure="trend:{escape(name)}:{day}" data-value="{value}"/>'
                       for (x, y), (day, value) in zip(xy, points, strict=True))
        line = " ".join(f"{x},{y}" for x, y in xy)
        out.append(f'<div><span>{escape(caption)}: {points[0][0]} {_number(points[0][1])}'
                   f' → {points[-1][0]} {_number(points[-1][1])}</span><br>'
                   f'<svg width="{width + 8}" height="{height}" role="img">'
                   f'<polyline points="{line}" fill="none" stroke="#1f77b4"/>{dots}</svg>'
                   f'</div>')
    return "".join(out)


def _districts(lines: list[dict[str, Any]], lang: str) -> str:
    if not lines:
        return f"<p>{label('none', lang)}</p>"
    columns = ["organisations", "pupils", "participants_trained", "cabinets_commissioned",
               "pupils_assessed"]
    head = "".join(f"<th>{label(c, lang)}</th>" for c in columns)
    body = "".join(
        _district_cell(line) + "".join(
            f'<td data-figure="district:{escape(str(line["district_code"]))}:{c}">'
            f'{_number(line[c])}</td>' for c in columns) + "</tr>" for line in lines)
    return f"<table><tr><th>{label('district', lang)}</th>{head}</tr>{body}</table>"


def _district_cell(line: dict[str, Any]) -> str:
    """The district by its name in the page's language (places.in_language chose it); a
    code the classifier has not named is shown as the code, marked so a reader sees why."""
    code = escape(str(line["district_code"]))
    if not line.get("name_known"):
        return (f'<tr><td data-district="{code}" data-name-known="false" '
                f'title="KATO {code}">{code} ?</td>')
    return (f'<tr><td data-district="{code}" title="KATO {code}">'
            f'{escape(str(line["district_name"]))}</td>')


def page(report: dict[str, Any], districts: list[dict[str, Any]], lang: str,
         series: dict[str, list[tuple[Any, int]]] | None = None) -> str:
    name = report.get(f"name_{lang}") or report.get("name_ru") or report["programme_id"]
    languages = " ".join(f'<a href="?lang={code}" hreflang="{code}">{code.upper()}</a>'
                         for code in LANGUAGES)
    period = report["period"]
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(name)}</title>
<style>{STYLE}</style></head><body>
<nav>{languages}</nav>
<h1 data-figure="programme">{escape(name)}</h1>
<p class="muted">{label("title", lang)} · {period["start"]} – {period["end"]}</p>
{timeline.approval(report, lang)}
<h2>{label("indicators", lang)}</h2>{_indicators(report, lang)}
<h2>{label("progress", lang)}</h2>{timeline.progress(report, lang)}
{timeline.diffusion(report, lang)}
<h2>{label("money", lang)}</h2>{_money(report, lang)}
<h2>{label("outcomes", lang)}</h2>{_outcomes(report, lang)}
<h2>{label("districts", lang)}</h2>{_districts(districts, lang)}
<h2>{label("trends", lang)}</h2>{_trends(report, series or {}, lang)}
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
