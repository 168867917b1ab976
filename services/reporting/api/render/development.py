"""What the schools built beyond the courses: each school's development strategy (adopted
when, valid until), the projects it runs and the partners it drew in (memoranda signed),
with the programme's totals above. Shown only for a programme that has any (Uralsk's)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.layout import number, raw, row, table
from services.reporting.api.render.names import partner_kind
from services.reporting.api.render.splits import district_html
from services.reporting.api.render.words import label

TOTALS = ("strategies_adopted", "projects", "partners", "memoranda")


def section(report: dict[str, Any], lang: str) -> str:
    d = report.get("development")
    if not d or not (d.get("organisations") or any(d.get(k) for k in TOTALS)):
        return ""
    boxes = "".join(f'<div><b data-figure="development:{k}" data-value="{raw(d.get(k))}">'
                    f"{number(d.get(k))}</b><span>{label(k, lang)}</span></div>"
                    for k in TOTALS)
    rows = [row(_school(o, lang), _strategy(o.get("strategy"), lang),
                _projects(o.get("projects") or [], lang),
                _partners(o.get("partners") or [], lang))
            for o in d.get("organisations") or []]
    head = [label(k, lang) for k in ("school_name", "strategy", "projects", "partners")]
    return (f"<h2>{label('development', lang)}</h2>"
            f'<div class="keyfigures">{boxes}</div>'
            + (table(head, rows, "development") if rows else ""))


def _school(o: dict[str, Any], lang: str) -> str:
    district = district_html(o, lang, str(o.get("district_code") or ""))
    return (f'<td><span data-figure="development-school:{escape(o["organisation_id"])}">'
            f'{escape(o.get("name_ru") or o["organisation_id"])}</span>'
            f'<br><span class="muted">{district}</span></td>')


def _strategy(s: dict[str, Any] | None, lang: str) -> str:
    if not s:
        return "<td>—</td>"
    until = (f", {label('valid_until', lang)} {_date(s['valid_until'])}"
             if s.get("valid_until") else "")
    return (f"<td>{escape(s['title'])}<br><span class=\"muted\">"
            f"{label('adopted_on', lang)} {_date(s['adopted_on'])}{until}</span></td>")


def _date(value: object) -> str:
    return f'<span class="date">{escape(str(value))}</span>'


def _projects(projects: list[dict[str, Any]], lang: str) -> str:
    if not projects:
        return "<td>—</td>"
    return "<td>" + "<br>".join(
        f"{escape(p['title'])} <span class=\"muted\">({label('launched_on', lang)}"
        f" {_date(p['launched_on'])})</span>" for p in projects) + "</td>"


def _partners(partners: list[dict[str, Any]], lang: str) -> str:
    if not partners:
        return "<td>—</td>"
    return "<td>" + "<br>".join(
        f"{escape(p['partner_name'])} <span class=\"muted\">"
        f"({escape(partner_kind(p.get('partner_kind'), lang))}; {label('memorandum', lang)}"
        f" № {escape(_number(p.get('memorandum_ref')))}, {_date(p['signed_on'])})"
        f"</span>{_purpose(p)}" for p in partners) + "</td>"


def _purpose(p: dict[str, Any]) -> str:
    return f"<br><i>{escape(p['purpose'])}</i>" if p.get("purpose") else ""


def _number(ref: Any) -> str:
    """A memorandum's number as the page says it after its own "№" (a file may already
    write "№ 14-М/2025")."""
    return str(ref or "—").removeprefix("№").strip()
