"""Every bulk import the platform has, in one catalogue: its columns, what it needs to be
told (a school year, a round, a programme), how its rows are sent, and, for templates, the
marshmallow field of the service's own contract that validates each column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from marshmallow.fields import Field

from cli.importers import (
    development,
    disbursements,
    expenditures,
    kato,
    organisations,
    practices,
    scores,
    training,
)
from cli.importers.runner import ImportReport

Rows = list[dict[str, Any]]
TARGETS = {"school_year": "--school-year", "round_id": "--round", "programme_id": "--programme"}


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str
    columns: Sequence[str]
    optional: Sequence[str]
    needs: str | None  # the one option the whole file belongs to (TARGETS), if any
    service: str
    importer: Callable[[Any, Any, Rows, str], ImportReport]  # (service, target, rows, label)
    contract: Callable[[], dict[str, Field]]  # column -> the service's field for it
    example: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, *self.optional]

    def send(self, rpc: Any, target: Any, rows: Rows, label: str) -> ImportReport:
        return self.importer(getattr(rpc, self.service), target, rows, label)


def _organisations(registry: Any, school_year: str, rows: Rows, label: str) -> ImportReport:
    return organisations.import_rows(registry, rows, school_year, label)


def _expenditures(equipment: Any, _: None, rows: Rows, label: str) -> ImportReport:
    return expenditures.import_rows(equipment, rows, label)


def _organisation_fields() -> dict[str, Field]:
    from services.registry.schemas import ImportRow

    return {name: ImportRow().fields[name] for name in
            [*organisations.REQUIRED, *organisations.OPTIONAL]}


def _score_fields() -> dict[str, Field]:
    from services.assessment.schemas import RecordScores, ScoreRow

    row = ScoreRow().fields
    return {"school_id": RecordScores().fields["school_id"],
            **{name: row[name] for name in ("pupil_id", "grade", "subject", "score")}}


def _training_fields() -> dict[str, Field]:
    from services.training.schemas import RecordTraining, Session, TrainingRow

    row = TrainingRow().fields
    return {"participant_id": row["participant_id"], "organisation_id": row["school_id"],
            "course_code": RecordTraining().fields["course_code"],
            "enrolled_on": row["enrolled_on"], "hours": Session().fields["hours"],
            **{name: row[name] for name in training.OPTIONAL}}


def _practice_fields() -> dict[str, Field]:
    from services.training.schemas import AdoptPractice, PublishPractice

    publish, adopt = PublishPractice().fields, AdoptPractice().fields
    return {"practice_code": publish["code"], "direction": publish["direction"],
            "title": publish["title"], "publishing_school": publish["school_id"],
            "published_on": publish["published_on"], "adopting_school": adopt["school_id"],
            "adopted_on": adopt["adopted_on"]}


def _disbursements(registry: Any, _: None, rows: Rows, label: str) -> ImportReport:
    return disbursements.import_rows(registry, rows, label)


def _disbursement_fields() -> dict[str, Field]:
    from services.registry.schemas import RecordDisbursement

    return {name: RecordDisbursement().fields[name] for name in disbursements.COLUMNS}


def _expenditure_fields() -> dict[str, Field]:
    from services.equipment.schemas import RecordExpenditure

    return {name: RecordExpenditure().fields[name] for name in expenditures.COLUMNS}


def _kato(registry: Any, _: None, rows: Rows, label: str) -> ImportReport:
    return kato.import_rows(registry, rows, label)


def _kato_fields() -> dict[str, Field]:
    from services.registry.kato_import import KatoRow

    return {name: KatoRow().fields[name] for name in [*kato.COLUMNS, *kato.OPTIONAL]}


def _development(kind: str) -> Callable[[Any, Any, Rows, str], ImportReport]:
    return lambda registry, programme_id, rows, label: development.import_rows(
        registry, kind, programme_id, rows, label)


def _fields_of(schema: str, columns: list[str]) -> Callable[[], dict[str, Field]]:
    def fields() -> dict[str, Field]:
        from services.registry import development_schemas

        loaded = getattr(development_schemas, schema)().fields
        return {name: loaded[name] for name in columns}
    return fields


DEVELOPMENT_NOTES = {
    "organisation_id": "a school that joined the programme (--programme)",
}

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("organisations", "schools, preschools and colleges with their profile for a school "
         "year (registry)", organisations.REQUIRED, organisations.OPTIONAL, "school_year",
         "registry", _organisations,
         _organisation_fields,
         {"organisation_id": "AKT-001", "bin": "090440924669", "kind": "school",
          "name_kk": "Ақжар №91 жалпы білім беретін мектебі",
          "name_ru": "Общеобразовательная школа №91 (Акжар)", "kato": "154842200",
          "locality": "rural", "small_class": "yes", "pupils": "61", "teachers": "6",
          "name_en": "Secondary school No. 91, Akzhar", "network_role": "",
          "school_year": ""},
         {"bin": "the 12-digit business identification number (its check digit is checked)",
          "kato": "the 9-digit KATO code of the locality (region and district come from it)",
          "small_class": "a school with combined classes: yes or no",
          "school_year": "empty: the --school-year given to the import"}),
    Kind("scores", "pupils' scores for one assessment round, one row per pupil and subject "
         "(assessment)", scores.COLUMNS, [], "round_id",
         "assessment", scores.import_rows,
         _score_fields,
         {"school_id": "AKT-001", "pupil_id": "P-000123", "grade": "6", "subject": "math",
          "score": "24"},
         {"pupil_id": "the e-journal's pupil id (hashed before it is stored)",
          "subject": "a subject of the round, as the round was opened",
          "score": "at most the subject's maximum in the round"}),
    Kind("training", "an academy's completions, one row per participant and course "
         "(training)", training.COLUMNS, training.OPTIONAL, "programme_id",
         "training", training.import_rows,
         _training_fields,
         {"participant_id": "T-0001", "organisation_id": "AKT-001", "course_code": "ONL-01",
          "enrolled_on": "2024-09-02", "hours": "22", "role": "teacher",
          "management_team_id": "", "completed_on": "2024-10-10", "dropped_on": "",
          "drop_reason": ""},
         {"course_code": "a course already scheduled in the programme",
          "hours": "the participant's total hours (recorded as one attended session)",
          "role": "empty: teacher",
          "management_team_id": "only for a manager: the school's management team",
          "dropped_on": "a participant completes or drops out, not both",
          "drop_reason": "required with dropped_on"}),
    Kind("practices", "a league's practices and their adoptions, one row per adoption "
         "(training)", practices.COLUMNS, practices.OPTIONAL, "programme_id",
         "training", practices.import_rows,
         _practice_fields,
         {"practice_code": "ECO", "direction": "Экология", "title": "Мектеп жылыжайы",
          "publishing_school": "KZO-001", "published_on": "2024-10-01",
          "adopting_school": "KZO-002", "adopted_on": "2024-11-01"},
         {"practice_code": "the same code and publishing school on several rows is one "
          "practice", "adopting_school": "empty: the practice is published, not yet adopted",
          "adopted_on": "not before the practice was published"}),
    Kind("expenditures", "spending other than cabinets, charged to funders' commitments "
         "(equipment)", expenditures.COLUMNS, expenditures.OPTIONAL, None,
         "equipment", _expenditures,
         _expenditure_fields,
         {"commitment_id": "BA-AMANAT-2024", "reference": "BA-PO-001",
          "amount_kzt": "38500000", "spent_on": "2024-10-15", "category": "seminars"},
         {"commitment_id": "a funder's commitment announced by the registry",
          "reference": "the payment order or invoice number: each is charged once",
          "amount_kzt": "whole tenge; never more than the commitment has left"}),
    Kind("disbursements", "what funders paid out under their commitments, one row per "
         "payment order (registry)", disbursements.COLUMNS, disbursements.OPTIONAL, None,
         "registry", _disbursements,
         _disbursement_fields,
         {"programme_id": "baquatty-audan", "commitment_id": "BA-AMANAT-2024",
          "reference": "BA-AMANAT-2024-T1", "amount_kzt": "90000000",
          "disbursed_on": "2024-06-24"},
         {"commitment_id": "a funder's commitment to the programme",
          "reference": "the payment order: each is recorded once",
          "amount_kzt": "whole tenge; never more than the commitment has left to pay out",
          "disbursed_on": "between the commitment's date and the programme's end"}),
    Kind("kato", "the KATO classifier as the Bureau of National Statistics publishes it: "
         "regions' and districts' names in Kazakh and Russian (registry)", kato.COLUMNS,
         kato.OPTIONAL, None, "registry", _kato, _kato_fields,
         {"te": "153200000", "ab": "15", "cd": "32", "ef": "00", "hij": "000", "k": "2",
          "name_kaz": "Алға ауданы", "name_rus": "Алгинский район",
          "name_en": "Alga district"},
         {"te": "the 9-digit code; ab, cd, ef, hij must be its parts",
          "k": "the classifier's level of the object",
          "name_en": "not in the Bureau's file: an English form, if you have one"}),
    Kind("strategies", "schools' development strategies, one row per strategy adopted "
         "(registry)", development.STRATEGY_COLUMNS, development.STRATEGY_OPTIONAL,
         "programme_id", "registry", _development("strategies"),
         _fields_of("AdoptStrategy", [*development.STRATEGY_COLUMNS,
                                      *development.STRATEGY_OPTIONAL]),
         {"strategy_id": "URL-SCH-01-STR", "organisation_id": "URL-SCH-01",
          "title": "Мектептің 2024–2027 жылдарға арналған даму стратегиясы",
          "adopted_on": "2024-12-20", "valid_until": "2027-08-31"},
         {**DEVELOPMENT_NOTES,
          "strategy_id": "your id for the strategy: each is recorded once",
          "adopted_on": "the day the school's governing body adopted it",
          "valid_until": "empty: open-ended; else not before adopted_on"}),
    Kind("projects", "the projects schools launched, one row per project (registry); "
         "import their strategies first", development.PROJECT_COLUMNS,
         development.PROJECT_OPTIONAL, "programme_id", "registry", _development("projects"),
         _fields_of("LaunchProject", [*development.PROJECT_COLUMNS,
                                      *development.PROJECT_OPTIONAL]),
         {"project_id": "URL-SCH-01-P1", "organisation_id": "URL-SCH-01",
          "title": "«Оқитын мектеп» кәсіби қоғамдастығы", "launched_on": "2025-01-15",
          "strategy_id": "URL-SCH-01-STR"},
         {**DEVELOPMENT_NOTES,
          "project_id": "your id for the project: each is recorded once",
          "strategy_id": "empty: it serves no strategy yet; else one the same school "
          "adopted"}),
    Kind("partnerships", "the partners schools drew in, one row per memorandum signed "
         "(registry)", development.PARTNERSHIP_COLUMNS, development.PARTNERSHIP_OPTIONAL,
         "programme_id", "registry", _development("partnerships"),
         _fields_of("SignPartnership", development.PARTNERSHIP_COLUMNS),
         {"partnership_id": "URL-SCH-01-M1", "organisation_id": "URL-SCH-01",
          "partner_name": "М. Өтемісов атындағы Батыс Қазақстан университеті",
          "partner_kind": "university", "signed_on": "2025-02-10",
          "purpose": "Студенттердің педагогикалық практикасы және тәлімгерлік",
          "memorandum_ref": "№ 14-М/2025"},
         {**DEVELOPMENT_NOTES,
          "partnership_id": "your id for the partnership: each is recorded once",
          "partner_name": "the partner organisation's name (never a person's)",
          "memorandum_ref": "the memorandum's number, as signed"}),
)}
