"""A grade and subject as a funder reads them: the subject by its name ("grade 8 ·
Mathematics"), and the scale and threshold the round set for it ("0–40 points, threshold
20")."""

from __future__ import annotations

from typing import Any

from services.reporting.api.render.words import label, subject_name


def scale(o: dict[str, Any], lang: str) -> str:
    """"0–40 points, threshold 20"; "" when the round did not say."""
    if o.get("max_score") is None:
        return ""
    text = label("scale_threshold", lang).format(max=o["max_score"],
                                                 threshold=o.get("threshold", "—"))
    return text if o.get("threshold") is not None else text.split(",")[0]


def caption(o: dict[str, Any], lang: str) -> str:
    """"grade 8 · Mathematics" (its scale is said beside it, `scale`)."""
    return f"{label('grade', lang)} {o['grade']} · {subject_name(o['subject'], lang)}"
