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
from cli.template_examples import EXAMPLES

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
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def example(self) -> dict[str, str]:
        """The template's example row (plainly one: the import skips it)."""
        return EXAMPLES[self.name]

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
         {"bin": "the 12-digit business identification number (its check digit is checked)",
          "kato": "the 9-digit KATO code of the locality (region and district come from it)",
          "small_class": "a school with combined classes: yes or no",
          "school_year": "empty: the --school-year given to the import"}),
    Kind("scores", "pupils' scores for one assessment round, one row per pupil and subject "
         "(assessment)", scores.COLUMNS, [], "round_id",
         "assessment", scores.import_rows,
         _score_fields,
         {"pupil_id": "the e-journal's pupil id (hashed before it is stored)",
          "subject": "a subject of the round, as the round was opened",
          "score": "at most the subject's maximum in the round"}),
    Kind("training", "an academy's completions, one row per participant and course "
         "(training)", training.COLUMNS, training.OPTIONAL, "programme_id",
         "training", training.import_rows,
         _training_fields,
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
         {"practice_code": "the same code and publishing school on several rows is one "
          "practice", "adopting_school": "empty: the practice is published, not yet adopted",
          "adopted_on": "not before the practice was published"}),
    Kind("expenditures", "spending other than cabinets, charged to funders' commitments "
         "(equipment)", expenditures.COLUMNS, expenditures.OPTIONAL, None,
         "equipment", _expenditures,
         _expenditure_fields,
         {"commitment_id": "a funder's commitment announced by the registry",
          "reference": "the payment order or invoice number: each is charged once",
          "amount_kzt": "whole tenge; never more than the commitment has left"}),
    Kind("disbursements", "what funders paid out under their commitments, one row per "
         "payment order (registry)", disbursements.COLUMNS, disbursements.OPTIONAL, None,
         "registry", _disbursements,
         _disbursement_fields,
         {"commitment_id": "a funder's commitment to the programme",
          "reference": "the payment order: each is recorded once",
          "amount_kzt": "whole tenge; never more than the commitment has left to pay out",
          "disbursed_on": "between the commitment's date and the programme's end"}),
    Kind("kato", "the KATO classifier as the Bureau of National Statistics publishes it: "
         "regions' and districts' names in Kazakh and Russian (registry)", kato.COLUMNS,
         kato.OPTIONAL, None, "registry", _kato, _kato_fields,
         {"te": "the 9-digit code; ab, cd, ef, hij must be its parts",
          "k": "the classifier's level of the object",
          "name_en": "not in the Bureau's file: an English form, if you have one"}),
    Kind("strategies", "schools' development strategies, one row per strategy adopted "
         "(registry)", development.STRATEGY_COLUMNS, development.STRATEGY_OPTIONAL,
         "programme_id", "registry", _development("strategies"),
         _fields_of("AdoptStrategy", [*development.STRATEGY_COLUMNS,
                                      *development.STRATEGY_OPTIONAL]),
         {**DEVELOPMENT_NOTES,
          "strategy_id": "your id for the strategy: each is recorded once",
          "adopted_on": "the day the school's governing body adopted it",
          "valid_until": "empty: open-ended; else not before adopted_on"}),
    Kind("projects", "the projects schools launched, one row per project (registry); "
         "import their strategies first", development.PROJECT_COLUMNS,
         development.PROJECT_OPTIONAL, "programme_id", "registry", _development("projects"),
         _fields_of("LaunchProject", [*development.PROJECT_COLUMNS,
                                      *development.PROJECT_OPTIONAL]),
         {**DEVELOPMENT_NOTES,
          "project_id": "your id for the project: each is recorded once",
          "strategy_id": "empty: it serves no strategy yet; else one the same school "
          "adopted"}),
    Kind("partnerships", "the partners schools drew in, one row per memorandum signed "
         "(registry)", development.PARTNERSHIP_COLUMNS, development.PARTNERSHIP_OPTIONAL,
         "programme_id", "registry", _development("partnerships"),
         _fields_of("SignPartnership", development.PARTNERSHIP_COLUMNS),
         {**DEVELOPMENT_NOTES,
          "partnership_id": "your id for the partnership: each is recorded once",
          "partner_name": "the partner organisation's name (never a person's)",
          "memorandum_ref": "the memorandum's number, as signed"}),
)}
