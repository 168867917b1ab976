"""The groups learning outcomes are split by, named as a funder says them: the programme,
the comparison schools, small schools and the others, each development model, and each
district by the name the report carries for it (a district the classifier lacks: the
note places.name_in gives, with its code)."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.api.render.words import word
from services.reporting.figures.places import LANGUAGES, name_in


def district_name(line: dict[str, Any], lang: str, code: str) -> tuple[str, bool]:
    """A district's name in `lang` from a report line's `district_name_*`, and whether the
    classifier knew it; one it lacks is said as places.name_in says it (never the bare
    code)."""
    names = {code_: line.get(f"district_name_{code_}") for code_ in LANGUAGES}
    known = any(names.values()) if line.get("name_known") is None else line["name_known"]
    return name_in(names, lang, code), bool(known)


def district_html(line: dict[str, Any], lang: str, code: str) -> str:
    """The same, escaped, a district the classifier lacks in italics with its code."""
    shown, known = district_name(line, lang, code)
    if known:
        return escape(shown)
    return f'<span class="unnamed" title="KATO {escape(code)}">{escape(shown)}</span>'


def split_name(line: dict[str, Any], lang: str) -> str:
    """`all`, `comparison`, `small_class`, `other`, `model:<m>`, `district:<code>` in `lang`."""
    split = line["split"]
    kind, _, code = split.partition(":")
    if kind == "district":
        return district_name(line, lang, code)[0]
    return word(code if kind == "model" else split, lang)
