"""The classifier's places: KATO regions and districts with their names in Kazakh, Russian
and an English form, as the Bureau of National Statistics publishes them (imported with
`baqylau import kato`). Reports name districts from these, never from a list in code.

Only regions (AB 00 00 000) and districts or cities of regional status (AB CD 00 000) are
kept: the reports group by district; rural districts and settlements are not needed.
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.registry.domain import natural_id

LEVELS = ("region", "district")


def level_of(kato: str) -> str | None:
    """region, district, or None for a rural district or settlement (not kept)."""
    if kato[2:] == "0000000":
        return "region"
    if kato[4:] == "00000":
        return "district"
    return None


class KatoPlace(Aggregate):
    """A region or district of the classifier; a new edition may rename it."""

    @staticmethod
    def create_id(kato: str, **_: object) -> uuid.UUID:
        return natural_id("kato-place", kato)

    @event("Named")
    def __init__(self, kato: str, level: str, name_kk: str, name_ru: str,
                 name_en: str | None) -> None:
        self.kato = kato
        self.level = level
        self.name_kk = name_kk
        self.name_ru = name_ru
        self.name_en = name_en

    def names(self) -> dict[str, Any]:
        return {"name_kk": self.name_kk, "name_ru": self.name_ru, "name_en": self.name_en}

    def rename(self, name_kk: str, name_ru: str, name_en: str | None) -> bool:
        """Take the names of a newer edition; False if they are the ones held."""
        wanted = {"name_kk": name_kk, "name_ru": name_ru, "name_en": name_en}
        if wanted == self.names():
            return False
        self._rename(kato=self.kato, level=self.level, **wanted)
        return True

    @event("Renamed")
    def _rename(self, kato: str, level: str, name_kk: str, name_ru: str,
                name_en: str | None) -> None:
        self.name_kk, self.name_ru, self.name_en = name_kk, name_ru, name_en
