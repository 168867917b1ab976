"""Public contracts of the registry service (version 1, and OrganisationJoinedProgramme's
version 2).

Organisations, programmes and funders are named by the caller's opaque ids (the same strings
other services use as school_id, programme_id, funder_id). Money is an integer number of
tenge; indicator values are decimal strings. Organisation names are public institutions'
names; no person appears in these contracts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from shared.contracts.registry import REGISTRY

KINDS = ["school", "preschool", "further_education"]


class _Strict(Schema):
    class Meta:
        ordered = True


class _Profile(_Strict):
    school_year = fields.String(required=True)
    locality = fields.String(required=True, validate=validate.OneOf(["rural", "urban"]))
    small_class = fields.Boolean(required=True)
    pupils = fields.Integer(required=True, strict=True)
    teachers = fields.Integer(required=True, strict=True)
    network_role = fields.String(allow_none=True, load_default=None)


class _Place(_Strict):
    organisation_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    region_code = fields.String(required=True)
    district_code = fields.String(required=True)


@REGISTRY.contract("OrganisationRegistered", 1)
class OrganisationRegisteredV1(_Place, _Profile):
    bin = fields.String(required=True)
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True, load_default=None)
    kato = fields.String(required=True)


@REGISTRY.contract("OrganisationProfileUpdated", 1)
class OrganisationProfileUpdatedV1(_Place, _Profile):
    """The profile for one school year; the latest school year is the current profile."""


@REGISTRY.contract("FunderRegistered", 1)
class FunderRegisteredV1(_Strict):
    funder_id = fields.String(required=True)
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True, load_default=None)
    organisation_type = fields.String(required=True)
    iati_ref = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("ProgrammeLaunched", 1)
class ProgrammeLaunchedV1(_Strict):
    programme_id = fields.String(required=True)
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True, load_default=None)
    regions = fields.List(fields.String(), required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    models = fields.List(fields.String(), required=True)
    budget_kzt = fields.Integer(allow_none=True, load_default=None, strict=True)


@REGISTRY.contract("FunderRoleAssigned", 1)
class FunderRoleAssignedV1(_Strict):
    programme_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(
        ["funding", "accountable", "extending", "implementing"]))
    iati_role_code = fields.String(required=True)


class _Baseline(_Strict):
    year = fields.Integer(required=True)
    value = fields.Decimal(required=True, as_string=True)


class _Period(_Strict):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    target = fields.Decimal(required=True, as_string=True)


@REGISTRY.contract("TargetSet", 1)
class TargetSetV1(_Strict):
    """An indicator's baseline and targets; a later TargetSet for the same indicator of the
    same programme replaces it (compare subjectversion, not arrival order)."""

    programme_id = fields.String(required=True)
    indicator = fields.String(required=True)
    measure = fields.String(required=True, validate=validate.OneOf(["unit", "percentage"]))
    ascending = fields.Boolean(required=True)
    baseline = fields.Nested(_Baseline, required=True)
    periods = fields.List(fields.Nested(_Period), required=True)


@REGISTRY.contract("FundingCommitted", 1)
class FundingCommittedV1(_Strict):
    programme_id = fields.String(required=True)
    commitment_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(
        ["programme", "equipment", "training", "assessment"]))
    amount_kzt = fields.Integer(required=True, strict=True)
    currency = fields.String(required=True, validate=validate.Equal("KZT"))
    committed_on = fields.Date(required=True)


@REGISTRY.contract("FundsDisbursed", 1)
class FundsDisbursedV1(_Strict):
    """A funder paid out money under its commitment (IATI: a disbursement)."""

    programme_id = fields.String(required=True)
    commitment_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    reference = fields.String(required=True)
    amount_kzt = fields.Integer(required=True, strict=True)
    currency = fields.String(required=True, validate=validate.Equal("KZT"))
    disbursed_on = fields.Date(required=True)


@REGISTRY.contract("OrganisationJoinedProgramme", 1)
class OrganisationJoinedProgrammeV1(_Place):
    programme_id = fields.String(required=True)
    model = fields.String(required=True)
    joined_on = fields.Date(required=True)


def school_year_of(day: date) -> str:
    """The Kazakh school year a day falls in: "2024-2025" runs from 1 September 2024 to 31
    August 2025 (the summer belongs to the year that ends with it)."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{first + 1}"


SCHOOL_YEAR = validate.Regexp(r"^[0-9]{4}-[0-9]{4}$", error='Must be a school year, "2024-2025".')


@REGISTRY.contract("OrganisationJoinedProgramme", 2, published_by_default=False)
class OrganisationJoinedProgrammeV2(OrganisationJoinedProgrammeV1):
    """Version 2: the school year the organisation joined in, its cohort. Funders and
    programme officers count schools, pupils and results by cohort (the Aktobe pilot's
    2023-2024 and 2024-2025 schools); each consumer used to derive it from `joined_on` with
    a boundary of its own (assessment's rounds start on 1 August, the school year on 1
    September). The registry now says it, by the rule of `school_year_of`."""

    school_year = fields.String(required=True, validate=SCHOOL_YEAR)


@REGISTRY.upcaster("OrganisationJoinedProgramme", 1)
def _joined_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # Exactly what the registry would have sent: v2's school year is that rule on the date.
    try:
        school_year = school_year_of(date.fromisoformat(str(data["joined_on"])))
    except (KeyError, ValueError):
        return data  # the schema then names what is wrong, field by field
    return {**data, "school_year": school_year}


@REGISTRY.contract("PlaceNamed", 1)
class PlaceNamedV1(_Strict):
    """A region or district of KATO, the national classifier, with its names as the
    classifier gives them (Kazakh, Russian) and an English form where one is known. A later
    PlaceNamed for the same kato replaces it (compare subjectversion, not arrival order)."""

    kato = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{9}$"))
    level = fields.String(required=True, validate=validate.OneOf(["region", "district"]))
    region_code = fields.String(required=True)
    district_code = fields.String(allow_none=True, load_default=None, metadata={
        "description": "the 4-digit district code; null for a region"})
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("AccessGranted", 1)
class AccessGrantedV1(_Strict):
    """An operator granted a calling system (its broker user, `principal`) a role, for some
    programmes or for every one ("*"); it replaces the principal's earlier grant. The
    operator's reason stays in the registry (`list_access`): it may be an internal note."""

    principal = fields.String(required=True)
    role = fields.String(required=True)
    programmes = fields.List(fields.String(), required=True)
    granted_by = fields.String(required=True)


@REGISTRY.contract("AccessRevoked", 1)
class AccessRevokedV1(_Strict):
    """An operator revoked a calling system's grant: it may call nothing from now on."""

    principal = fields.String(required=True)
    revoked_by = fields.String(required=True)


# ---------------------------------------------------------------- a school's development
PARTNER_KINDS = ["business", "ngo", "university", "government", "school", "other"]


@REGISTRY.contract("StrategyAdopted", 1)
class StrategyAdoptedV1(_Strict):
    """A school's development strategy, adopted by its governing body; recorded once per
    `strategy_id`, for the programme the school takes part in."""

    strategy_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    title = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True, load_default=None, metadata={
        "description": "the last day it covers; null: open-ended"})


@REGISTRY.contract("ProjectLaunched", 1)
class ProjectLaunchedV1(_Strict):
    """A project a school launched; `strategy_id` is the school's own strategy it serves,
    null when it serves none (yet)."""

    project_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    title = fields.String(required=True)
    launched_on = fields.Date(required=True)
    strategy_id = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("PartnershipSigned", 1)
class PartnershipSignedV1(_Strict):
    """A partner a school drew in, with the memorandum both signed (`memorandum_ref`: its
    number). Partners are organisations; no person is named."""

    partnership_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    partner_name = fields.String(required=True)
    partner_kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS))
    signed_on = fields.Date(required=True)
    purpose = fields.String(required=True)
    memorandum_ref = fields.String(required=True)
