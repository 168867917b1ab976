"""The report endpoints' response contracts. Responses are dumped through these schemas and
the OpenAPI document is generated from them, so the document cannot drift from the API."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.reporting.figures import behind
from shared.fields import OPAQUE_ID


class Figure(fields.Number):
    """A count as an integer, a percentage as a number to 0.1 (null: nothing to divide)."""

    num_type = float

    def _format_num(self, value: Any) -> int | float:
        return value if isinstance(value, int) else float(value)


class Indicator(Schema):
    indicator = fields.String(required=True, metadata={"example": "teachers_trained"})
    measure = fields.String(required=True, metadata={"description": "unit or percentage"})
    baseline = fields.String(required=True, metadata={"description": "decimal as text"})
    target = fields.String(required=True, metadata={"example": "500"})
    period_end = fields.Date(required=True)
    actual = Figure(required=True, allow_none=True, metadata={
        "description": "a count; for a percentage, numerator / denominator in %, to 0.1"})
    numerator = fields.Integer(metadata={"description": "percentages only"})
    denominator = fields.Integer(metadata={"description": "percentages only"})
    share_reached = fields.String(allow_none=True, metadata={"example": "1.000"})


class CommitmentLine(Schema):
    commitment_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    scope = fields.String(required=True)
    committed_kzt = fields.Integer(required=True)
    disbursed_kzt = fields.Integer(required=True, metadata={
        "description": "what the funder has paid out of the commitment so far"})
    procured_kzt = fields.Integer(required=True, metadata={"description": "cabinets bought"})
    expenditure_kzt = fields.Integer(required=True, metadata={
        "description": "other spending: seminars, fees, platforms, assessment..."})
    spent_kzt = fields.Integer(required=True, metadata={"description": "procured + expenditure"})
    remaining_kzt = fields.Integer(required=True)
    funder_name_kk = fields.String(allow_none=True)
    funder_name_ru = fields.String(allow_none=True, metadata={
        "description": "null until the funder's registration has reached the read model"})
    funder_name_en = fields.String(allow_none=True)


class Money(Schema):
    budget_kzt = fields.Integer(allow_none=True)
    committed_kzt = fields.Integer(required=True)
    disbursed_kzt = fields.Integer(required=True)
    procured_kzt = fields.Integer(required=True)
    expenditure_kzt = fields.Integer(required=True)
    spent_kzt = fields.Integer(required=True)
    remaining_kzt = fields.Integer(required=True)
    spent_by_category = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                    required=True)
    commitments = fields.List(fields.Nested(CommitmentLine), required=True)


def _interval(what: str) -> fields.List:
    return fields.List(fields.String(), allow_none=True, metadata={
        "description": f"95 % confidence interval [low, high] of {what}, cluster-robust with "
                       "schools as clusters (docs/statistics.md); null with fewer than two "
                       "schools", "example": ["20.412", "21.244"]})


class RoundFigures(Schema):
    pupils = fields.Integer(required=True)
    schools = fields.Integer(required=True)
    mean = fields.String(required=True)
    mean_ci = _interval("the mean")
    share_at_or_above_threshold = fields.String(required=True)


class Outcome(Schema):
    baseline_round_id = fields.String(required=True)
    endline_round_id = fields.String(required=True)
    grade = fields.Integer(required=True)
    subject = fields.String(required=True)
    split = fields.String(required=True, metadata={
        "description": "all, small_class, other, district:<4-digit KATO district>, "
                       "model:<development model> (the programme's schools), or comparison "
                       "(schools outside the programme assessed in the same rounds)"})
    baseline = fields.Nested(RoundFigures)
    endline = fields.Nested(RoundFigures)
    matched_pupils = fields.Integer()
    matched_schools = fields.Integer()
    gain = fields.String(metadata={"description": "mean endline - baseline, matched pupils"})
    gain_ci = _interval("the gain")
    effect_size_d = fields.String(allow_none=True, metadata={
        "description": "Cohen's d_av on matched pupils"})
    effect_size_d_ci = _interval("d_av (delta method)")
    difference_in_differences = fields.String(metadata={
        "description": "this split's gain minus the comparison schools' gain (split all "
                       "and model:<model> only, when the rounds have comparison schools)"})
    difference_in_differences_ci = _interval("the difference in differences")


class Period(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class ProgrammeReport(Schema):
    programme_id = fields.String(required=True)
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    period = fields.Nested(Period, required=True)
    indicators = fields.List(fields.Nested(Indicator), required=True)
    money = fields.Nested(Money, required=True)
    learning_outcomes = fields.List(fields.Nested(Outcome), required=True)


class ProgrammeList(Schema):
    funder_id = fields.String(required=True)
    programmes = fields.List(fields.String(), required=True)


class DrillLine(Schema):
    pupils = fields.Integer(required=True)
    participants_trained = fields.Integer(required=True)
    cabinets = fields.Integer(required=True)
    cabinets_commissioned = fields.Integer(required=True)
    pupils_assessed = fields.Integer(required=True)


class DistrictLine(DrillLine):
    district_code = fields.String(required=True)
    organisations = fields.Integer(required=True)


class OrganisationLine(DrillLine):
    organisation_id = fields.String(required=True)
    name_ru = fields.String(allow_none=True)
    kind = fields.String(required=True)
    district_code = fields.String(required=True)
    small_class = fields.Boolean(allow_none=True)


class Districts(Schema):
    programme_id = fields.String(required=True)
    districts = fields.List(fields.Nested(DistrictLine), required=True)


class Organisations(Schema):
    programme_id = fields.String(required=True)
    organisations = fields.List(fields.Nested(OrganisationLine), required=True)


class EventBehind(Schema):
    source = fields.String(required=True, metadata={"example": "registry"})
    notification_id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"example": "OrganisationJoinedProgramme"})
    time = fields.String(required=True, allow_none=True, metadata={
        "description": "When it was recorded (null in a model from before version 3, until "
                       "its rebuild)"})
    value = fields.Integer(required=True, metadata={"description": "What it adds to the "
                                                                   "figure"})
    part = fields.String(metadata={"description": "For a percentage: numerator or "
                                                  "denominator, the count it adds to"})
    # `fields` would shadow marshmallow's module in this class body: another name, same key.
    fields_ = fields.Dict(attribute="fields", data_key="fields", required=True,
                          metadata={"description": "The event's fields that count"})


class FigureEvents(Schema):
    programme_id = fields.String(required=True)
    indicator = fields.String(required=True)
    figure = Figure(required=True, allow_none=True, metadata={
        "description": "The sum of every event's value; for a percentage, numerator / "
                       "denominator in %, each the sum of its part's values"})
    numerator = fields.Integer(metadata={"description": "percentages only"})
    denominator = fields.Integer(metadata={"description": "percentages only"})
    count = fields.Integer(required=True)
    events = fields.List(fields.Nested(EventBehind), required=True)
    next_after = fields.Integer(allow_none=True, required=True)


class Error(Schema):
    error = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={
        "description": "Per field, what is wrong (400; 429 and 503 name `as_of`)"})


def _get(summary: str, schema: str, csv: bool = False) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    operation: dict[str, Any] = {
        "summary": summary, "security": [{"bearer": []}],
        "responses": {"200": {"description": "OK", "content": content},
                      "401": {"description": "Missing, invalid or revoked token",
                              "content": {"application/json": {"schema": "Error"}}}}}
    if schema != "ProgrammeList":
        operation["responses"]["404"] = {
            "description": "No such programme among the token's funder's programmes",
            "content": {"application/json": {"schema": "Error"}}}
        operation["parameters"] = [
            {"name": "programme_id", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": OPAQUE_ID.regex.pattern},
             "description": "An opaque id; anything else (a NUL, a space) gets 400"},
            {"name": "as_of", "in": "query", "required": False,
             "schema": {"oneOf": [{"type": "string", "format": "date"},
                                  {"type": "string", "format": "date-time"}]},
             "description": "The report as it stood at the end of this day in Kazakhstan "
                            "(2024-05-31) or at this moment (2024-05-31T18:00:00+05:00)"}]
        operation["responses"]["400"] = {
            "description": "A query parameter is not valid; `errors` names it",
            "content": {"application/json": {"schema": "Error"}}}
        operation["responses"]["429"] = {
            "description": "`as_of` names a moment not built yet, and the token's funder has "
                           "had as many past moments built in the last hour as allowed; "
                           "`Retry-After` says when to ask again",
            "content": {"application/json": {"schema": "Error"}}}
    if csv:
        operation.setdefault("parameters", []).append(
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv"]}})
    return {"get": operation}


def openapi() -> dict[str, Any]:
    spec = APISpec(title="Baqylau funders' reports", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Each funder reads the programmes it funds or "
                                        "oversees, with its own bearer token."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in (ProgrammeReport, ProgrammeList, Districts, Organisations, FigureEvents,
                   Error):
        spec.components.schema(schema.__name__, schema=schema)
    spec.path("/v1/programmes", operations=_get("The token's programmes", "ProgrammeList"))
    spec.path("/v1/programmes/{programme_id}/report",
              operations=_get("A programme's report", "ProgrammeReport", csv=True))
    spec.path("/v1/programmes/{programme_id}/districts",
              operations=_get("The report by district", "Districts", csv=True))
    spec.path("/v1/programmes/{programme_id}/organisations",
              operations=_get("The report by organisation", "Organisations", csv=True))
    events = _get("The events behind a figure of the report, paginated", "FigureEvents")
    events["get"]["parameters"] += [
        {"name": "indicator", "in": "path", "required": True,
         "schema": {"type": "string", "enum": behind.figures()}},
        {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "limit", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}]
    spec.path("/v1/programmes/{programme_id}/figures/{indicator}/events", operations=events)
    for path, summary, media, fmt in (
            ("iati.xml", "The programme as an IATI 2.03 activity", "application/xml", None),
            ("report.xlsx", "The report as a workbook",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "binary")):
        operations = _get(summary, "Error")
        operations["get"]["responses"]["200"]["content"] = {
            media: {"schema": {"type": "string", **({"format": fmt} if fmt else {})}}}
        spec.path(f"/v1/programmes/{{programme_id}}/{path}", operations=operations)
    return spec.to_dict()
