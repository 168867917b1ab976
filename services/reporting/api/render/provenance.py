"""The audit view's "who recorded": for each figure, the systems whose commands recorded
its events (by their platform account), how many events each and from how many imported
files; then the grants that let systems record for the programme, and their revocations."""

from __future__ import annotations

from html import escape

from services.reporting.api.render.layout import number, row, table
from services.reporting.api.render.words import label, role_name
from services.reporting.figures import catalogue
from services.reporting.figures.moments import KAZAKHSTAN
from services.reporting.figures.provenance import AccessChange, Provenance, Recorder


def section(figures: list[str], provenance: Provenance, lang: str) -> str:
    """Nothing for a programme with no events behind its figures and no grants yet."""
    rows = []
    for name in figures:
        caption = (label("procured", lang) if name == "procured_kzt"
                   else catalogue.label(name, lang))
        for n, who in enumerate(provenance.recorders.get(name, [])):
            rows.append(row(escape(caption) if n == 0 else "", _system(who, lang),
                            f'<td data-figure="recorded:{escape(name)}:{_key(who)}"'
                            f' data-value="{who["events"]}">{number(who["events"])}</td>',
                            number(who["files"] or None)))
    head = [label("indicator", lang), label("system", lang), label("events", lang),
            label("files", lang)]
    recorded = (f'<h3>{label("who_recorded", lang)}</h3>' + table(head, rows)
                + f'<p class="muted">{label("who_note", lang)}</p>') if rows else ""
    return recorded + _access(provenance.access, lang)


def _key(who: Recorder) -> str:
    return escape(who["recorded_by"] or "-")


def _system(who: Recorder, lang: str) -> str:
    if who["recorded_by"] is None:
        return f'<td class="unnamed">{label("unrecorded", lang)}</td>'
    return f"<td><code>{escape(who['recorded_by'])}</code></td>"


def _access(changes: list[AccessChange], lang: str) -> str:
    """Each grant or revocation, when (Kazakhstan's time), whom, what, by whom."""
    if not changes:
        return ""
    rows = [row(change["at"].astimezone(KAZAKHSTAN).strftime("%Y-%m-%d %H:%M"),
                f"<code>{escape(change['principal'])}</code>", _change(change, lang),
                escape(role_name(change["role"], lang) if change["role"] else ""),
                f"<code>{escape(change['changed_by'])}</code>")
            for change in changes]
    head = [label("when", lang), label("system", lang), label("change", lang),
            label("role", lang), label("changed_by", lang)]
    return f'<h3>{label("access", lang)}</h3>' + table(head, rows)


def _change(change: AccessChange, lang: str) -> str:
    return label(f"granted_{change['covers']}" if change["granted"] else "revoked", lang)

