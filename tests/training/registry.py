"""The registry's facts training checks against, made through the real registry service:
programmes launched and their schools joined, as another team's operator would."""

from __future__ import annotations

import zlib

from shared.kz_bin import check_digit

# A programme's region and a locality in it (KATO), by region code.
LOCALITY = {"15": "153220100", "27": "271010000", "11": "116630100"}


def bin_of(organisation_id: str) -> str:
    """A well-formed BIN, a different one for each organisation id."""
    serial = zlib.crc32(organisation_id.encode()) % 100_000
    while True:
        first = f"940140{serial:05d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
        serial = (serial + 1) % 100_000


def launch(registry, programme_id: str, schools: list[str], region: str = "15") -> None:
    """Launch the programme (idempotent) and have each school registered and joined."""
    registry.launch_programme(programme_id=programme_id, name_kk="Бағдарлама",
                              name_ru="Программа", regions=[region], start="2023-01-01",
                              end="2026-12-31", models=["digital_solutions"])
    for school in schools:
        registry.register_organisation(
            organisation_id=school, bin=bin_of(school), kind="school", name_kk="Мектеп",
            name_ru="Школа", kato=LOCALITY[region], school_year="2024-2025",
            locality="rural", small_class=False, pupils=120, teachers=14)
        registry.join_programme(programme_id=programme_id, organisation_id=school,
                                model="digital_solutions", joined_on="2024-01-15")


def learn(app, programme_id: str, schools: list[str]) -> None:
    """The same facts given straight to a TrainingApplication (tests without services)."""
    app.record_programme_launched(programme_id)
    for school in schools:
        app.record_school_joined(programme_id, school)
