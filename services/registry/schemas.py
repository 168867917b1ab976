"""Marshmallow contracts of the registry RPC API: commands in, views out."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from services.registry import kato
from services.registry.domain import (
    IATI_ROLES,
    KINDS,
    LOCALITIES,
    MODELS,
    NETWORK_ROLES,
    PROFILE_FIELDS,
    SCOPES,
)
from shared import kz_bin
from shared.contracts.indicators import INDICATORS, MEASURES
from shared.fields import Ref, SchoolYear, Text

# IATI OrganisationType codes: government, local government, other public sector, NGOs,
# public-private partnership, multilateral, foundation, private sector, academic, other.
ORGANISATION_TYPES = ["10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70",
                      "71", "72", "73", "80", "90"]
MAX_KZT = 10**13  # ten trillion tenge: far above any programme, far below float trouble
MAX_IMPORT_ROWS = 500


def _check(problem_of: Any) -> Any:
    def check(value: str) -> None:
        reason = problem_of(value)
        if reason:
            raise ValidationError(reason)
    return check


class Command(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class Profile(Command):
    locality = fields.String(required=True, validate=validate.OneOf(LOCALITIES))
    small_class = fields.Boolean(required=True)
    pupils = fields.Integer(required=True, strict=True, validate=validate.Range(0, 5000))
    teachers = fields.Integer(required=True, strict=True, validate=validate.Range(0, 1000))
    network_role = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(NETWORK_ROLES))


class RegisterOrganisation(Profile):
    organisation_id = Ref(required=True)
    bin = fields.String(required=True, validate=_check(kz_bin.problem))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name_kk = Text(required=True)
    name_ru = Text(required=True)
    name_en = Text(load_default=None, allow_none=True)
    kato = fields.String(required=True, validate=_check(kato.problem))
    school_year = SchoolYear(required=True)

    @validates_schema
    def small_class_is_a_school_kind(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("small_class") and data.get("kind") not in (None, "school"):
            raise ValidationError(f"Not applicable to a {data['kind']}.", "small_class")


def split_profile(data: dict[str, Any]) -> dict[str, Any]:
    """Command data as the application takes it: identity fields, school_year, profile."""
    profile = {name: data.pop(name) for name in PROFILE_FIELDS}
    return {**data, "profile": profile}


class ImportRow(RegisterOrganisation):
    """One CSV row: every value arrives as text, optional cells may be empty."""

    row = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    small_class = fields.Boolean(
        required=True, truthy={"1", "true", "yes", "да", "иә", True},
        falsy={"0", "false", "no", "нет", "жоқ", False})
    pupils = fields.Integer(required=True, validate=validate.Range(0, 5000))
    teachers = fields.Integer(required=True, validate=validate.Range(0, 1000))
    school_year = SchoolYear(load_default=None)  # the file's school year unless a row says

    @pre_load
    def empty_cells_are_missing(self, row: Any, **_: Any) -> Any:
        if not isinstance(row, dict):
            return row
        cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in row.items()}
        if isinstance(cleaned.get("small_class"), str):
            cleaned["small_class"] = cleaned["small_class"].lower()
        return {k: v for k, v in cleaned.items() if v != ""}


class ImportOrganisations(Command):
    school_year = SchoolYear(required=True)
    rows = fields.List(fields.Dict(), required=True,
                       validate=validate.Length(min=1, max=MAX_IMPORT_ROWS))


class UpdateProfile(Profile):
    organisation_id = Ref(required=True)
    school_year = SchoolYear(required=True)


class RegisterFunder(Command):
    funder_id = Ref(required=True)
    name_kk = Text(required=True)
    name_ru = Text(required=True)
    name_en = Text(load_default=None, allow_none=True)
    organisation_type = fields.String(required=True,
                                      validate=validate.OneOf(ORGANISATION_TYPES))
    iati_ref = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{2}-[A-Za-z0-9]+-[A-Za-z0-9._-]+$",
        error="Must be an IATI organisation identifier such as KZ-BIN-940140000385."))


class LaunchProgramme(Command):
    programme_id = Ref(required=True)
    name_kk = Text(required=True)
    name_ru = Text(required=True)
    name_en = Text(load_default=None, allow_none=True)
    regions = fields.List(fields.String(validate=validate.OneOf(sorted(kato.REGIONS))),
                          required=True, validate=validate.Length(min=1))
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    models = fields.List(fields.String(validate=validate.OneOf(MODELS)), required=True,
                         validate=validate.Length(min=1))
    budget_kzt = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(1, MAX_KZT))

    @validates_schema
    def coherent(self, data: dict[str, Any], **_: Any) -> None:
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ValidationError("Must not be before start.", "end")
        for name in ("regions", "models"):
            if name in data and len(set(data[name])) != len(data[name]):
                raise ValidationError("Must not repeat a value.", name)


class AssignFunderRole(Command):
    programme_id = Ref(required=True)
    funder_id = Ref(required=True)
    role = fields.String(required=True, validate=validate.OneOf(list(IATI_ROLES)))


VALUE = dict(places=2, validate=validate.Range(Decimal(0), Decimal(10**9)))


class Baseline(Command):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    value = fields.Decimal(required=True, **VALUE)


class Period(Command):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    target = fields.Decimal(required=True, **VALUE)


class SetTarget(Command):
    """An IATI-style indicator: unit or percentage, ascending or not, baseline, targets."""

    programme_id = Ref(required=True)
    indicator = fields.String(required=True, validate=validate.OneOf(INDICATORS))
    # The indicator's own measure when left out; a different one is refused.
    measure = fields.String(validate=validate.OneOf(["unit", "percentage"]))
    ascending = fields.Boolean(load_default=True)
    baseline = fields.Nested(Baseline, required=True)
    periods = fields.List(fields.Nested(Period), required=True,
                          validate=validate.Length(min=1, max=20))

    @validates_schema
    def periods_in_order(self, data: dict[str, Any], **_: Any) -> None:
        periods = data.get("periods") or []
        for period in periods:
            if period["end"] < period["start"]:
                raise ValidationError("A period must not end before it starts.", "periods")
        for earlier, later in itertools.pairwise(periods):
            if later["start"] <= earlier["end"]:
                raise ValidationError("Periods must be in order and must not overlap.",
                                      "periods")
        measure = MEASURES[data["indicator"]]
        if data.get("measure", measure) != measure:
            raise ValidationError(f"{data['indicator']} is measured as a {measure}, "
                                  f"not as a {data['measure']}.", "measure")
        if measure == "percentage" and any(
                p["target"] > 100 for p in periods):
            raise ValidationError("A percentage target must not exceed 100.", "periods")

    @post_load
    def indicators_own_measure(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "measure": MEASURES[data["indicator"]]}


class CommitFunding(Command):
    programme_id = Ref(required=True)
    funder_id = Ref(required=True)
    commitment_id = Ref(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    # strict: 2064199025.0 or "2064199025" is refused; money crosses the API as an integer.
    amount_kzt = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_KZT))
    committed_on = fields.Date(required=True)


class RecordDisbursement(Command):
    """Money a funder paid out under its commitment (a tranche to the implementer)."""

    programme_id = Ref(required=True)
    commitment_id = Ref(required=True)
    reference = Ref(required=True)  # the payment order: the natural key
    amount_kzt = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_KZT))
    disbursed_on = fields.Date(required=True)


class JoinProgramme(Command):
    programme_id = Ref(required=True)
    organisation_id = Ref(required=True)
    model = fields.String(required=True, validate=validate.OneOf(MODELS))
    joined_on = fields.Date(required=True)


# ---------------------------------------------------------------- queries
class OrganisationQuery(Command):
    organisation_id = Ref(required=True)


class FindOrganisation(Command):
    """An organisation by a natural key another system holds: its code (the registry's
    organisation_id) or its BIN, exactly one of them."""

    code = Ref(load_default=None)
    bin = fields.String(load_default=None, validate=_check(kz_bin.problem))

    @validates_schema
    def one_key(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("code") is None) == (data.get("bin") is None):
            raise ValidationError("Give code or bin, not both.", "code")


class FunderQuery(Command):
    funder_id = Ref(required=True)


class ProgrammeQuery(Command):
    programme_id = Ref(required=True)
    school_year = SchoolYear(load_default=None)


class ListOrganisations(Command):
    programme_id = Ref(load_default=None)
    region_code = fields.String(load_default=None, validate=validate.OneOf(sorted(kato.REGIONS)))
    district_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}$"))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    after = Ref(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


# ---------------------------------------------------------------- views
class ProfileView(Schema):
    school_year = fields.String()
    locality = fields.String()
    small_class = fields.Boolean()
    pupils = fields.Integer()
    teachers = fields.Integer()
    network_role = fields.String(allow_none=True)


class OrganisationView(Schema):
    id = fields.UUID()
    organisation_id = fields.String()
    bin = fields.String()
    kind = fields.String()
    name_kk = fields.String()
    name_ru = fields.String()
    name_en = fields.String(allow_none=True)
    kato = fields.String()
    region_code = fields.String()
    district_code = fields.String()
    region = fields.Function(lambda o: kato.REGIONS[o.region_code][2])
    district = fields.Function(lambda o: kato.place(o.kato).district_name)
    profile = fields.Function(lambda o: ProfileView().dump(
        {"school_year": o.current_year, **o.profile}))
    history = fields.Function(lambda o: [ProfileView().dump({"school_year": y, **p})
                                         for y, p in sorted(o.profiles.items())])


class FunderView(Schema):
    id = fields.UUID()
    funder_id = fields.String()
    name_kk = fields.String()
    name_ru = fields.String()
    name_en = fields.String(allow_none=True)
    organisation_type = fields.String()
    iati_ref = fields.String(allow_none=True)


class TargetView(Schema):
    measure = fields.String()
    ascending = fields.Boolean()
    baseline = fields.Dict()
    periods = fields.List(fields.Dict())

    @post_dump
    def exact_strings(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["baseline"] = {k: str(v) if isinstance(v, Decimal) else v
                            for k, v in data["baseline"].items()}
        data["periods"] = [{k: str(v) for k, v in p.items()} for p in data["periods"]]
        return data


class ProgrammeView(Schema):
    id = fields.UUID()
    programme_id = fields.String()
    name_kk = fields.String()
    name_ru = fields.String()
    name_en = fields.String(allow_none=True)
    regions = fields.List(fields.String())
    start = fields.Date()
    end = fields.Date()
    models = fields.List(fields.String())
    budget_kzt = fields.Integer(allow_none=True)
    committed_kzt = fields.Integer()
    roles = fields.Function(lambda p: {f: sorted(r) for f, r in sorted(p.roles.items())})
    targets = fields.Function(lambda p: {i: TargetView().dump(t)
                                         for i, t in sorted(p.targets.items())})
    commitments = fields.Function(lambda p: [
        {"commitment_id": c, "funder_id": v["funder_id"], "scope": v["scope"],
         "amount_kzt": v["amount_kzt"], "committed_on": v["committed_on"].isoformat(),
         "disbursed_kzt": sum(d["amount_kzt"] for d in v["disbursements"].values())}
        for c, v in sorted(p.commitments.items())])


class ParticipationView(Schema):
    id = fields.UUID()
    programme_id = fields.String()
    organisation_id = fields.String()
    model = fields.String()
    joined_on = fields.Date()
    kind = fields.String()
    region_code = fields.String()
    district_code = fields.String()
