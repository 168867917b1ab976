"""The report endpoints' response contracts. Responses are dumped through these schemas and
the OpenAPI document is generated from them, so the document cannot drift from the API."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from services.reporting.api.section_schemas import Cabinets, Development


class Figure(fields.Number):
    """A count as an integer, a percentage as a number to 0.1 (null: nothing to divide)."""

    num_type = float

    def _format_num(self, value: Any) -> int | float:
        return value if isinstance(value, int) else float(value)


class ProgressPoint(Schema):
    month = fields.String(required=True, metadata={"example": "2024-09"})
    actual = Figure(required=True, allow_none=True, metadata={
        "description": "the value at the month's end, by the facts' own dates"})


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
    share_reached = fields.String(allow_none=True, metadata={
        "description": "actual / target, to 0.001; 1.000 only once the target is reached,"
                       " 0.000 only while it is none", "example": "0.998"})
    progress_from_baseline = fields.String(allow_none=True, metadata={
        "description": "(actual - baseline) / (target - baseline), to 0.001; null when the "
                       "target is the baseline or there is no actual", "example": "0.667"})
    progress = fields.List(fields.Nested(ProgressPoint), metadata={
        "description": "month by month from the programme's start to today (or its end);"
                       " the last point is `actual`"})


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
    held_by_implementer_kzt = fields.Integer(required=True, metadata={
        "description": "disbursed - spent: paid out by the funder and not yet spent "
                       "(negative: the implementer spent ahead of the payments)"})
    spent_by_category = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                    required=True, metadata={
                                        "description": "this commitment's expenditures by "
                                                       "category (cabinets bought are "
                                                       "procured_kzt)"})
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
    held_by_implementer_kzt = fields.Integer(required=True, metadata={
        "description": "the commitments' disbursed - spent"})
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
    max_score = fields.Integer(metadata={
        "description": "the subject's maximum score, as the round defined it"})
    threshold = fields.Integer(metadata={
        "description": "the subject's proficiency threshold, as the round defined it"})
    split = fields.String(required=True, metadata={
        "description": "all, small_class, other, district:<4-digit KATO district>, "
                       "model:<development model> (the programme's schools), or comparison "
                       "(schools outside the programme assessed in the same rounds)"})
    district_name_kk = fields.String(allow_none=True, metadata={
        "description": "a district split's district in Kazakh (null: not in the classifier)"})
    district_name_ru = fields.String(allow_none=True)
    district_name_en = fields.String(allow_none=True)
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


class Adoption(Schema):
    school_id = fields.String(required=True)
    adopted_on = fields.String(required=True, metadata={"example": "2024-11-01"})


class PracticeSpread(Schema):
    practice_id = fields.String(required=True)
    code = fields.String(allow_none=True)
    direction = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    school_id = fields.String(required=True, metadata={"description": "the publishing school"})
    published_on = fields.Date(allow_none=True)
    adopting_schools = fields.Integer(required=True)
    adoptions = fields.List(fields.Nested(Adoption), required=True)


class ProgrammeReport(Schema):
    programme_id = fields.String(required=True)
    name_kk = fields.String(required=True)
    name_ru = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    period = fields.Nested(Period, required=True)
    indicators = fields.List(fields.Nested(Indicator), required=True)
    money = fields.Nested(Money, required=True)
    learning_outcomes = fields.List(fields.Nested(Outcome), required=True)
    diffusion = fields.List(fields.Nested(PracticeSpread), required=True, metadata={
        "description": "a league's practices and the schools that adopted them"})
    cabinets = fields.Nested(Cabinets, required=True, metadata={
        "description": "whether the cabinets work: faults and internet per school"})
    development = fields.Nested(Development, required=True, metadata={
        "description": "the schools' development strategies, projects and partners"})
    status = fields.Constant("preliminary", metadata={
        "description": "the figures above are today's; `approval` holds the approved ones"})
    approval = fields.Nested(lambda: ApprovalWithChanges(), allow_none=True, metadata={
        "description": "the last approval by the implementing partner and what changed since"
                       " (null before the first one, and on a past moment's report)"})


class ProgrammeList(Schema):
    funder_id = fields.String(required=True)
    programmes = fields.List(fields.String(), required=True)


class DrillLine(Schema):
    pupils = fields.Integer(required=True)
    participants_trained = fields.Integer(required=True)
    cabinets = fields.Integer(required=True)
    cabinets_commissioned = fields.Integer(required=True)
    pupils_assessed = fields.Integer(required=True)


class InDistrict(Schema):
    """A drill-down line's district and region: their codes and names from the classifier."""

    district_code = fields.String(required=True)
    district_name = fields.String(required=True, metadata={
        "description": "the classifier's name in the asked language; the code itself when "
                       "name_known is false", "example": "Алға ауданы"})
    name_known = fields.Boolean(required=True, metadata={
        "description": "false: the KATO classifier has no name for this code (yet)"})
    region_code = fields.String(required=True, metadata={
        "description": "the district's region: the KATO code's first two digits",
        "example": "15"})
    region_name = fields.String(required=True, metadata={
        "description": "the region's name in the asked language; the code itself when "
                       "region_name_known is false", "example": "Ақтөбе облысы"})
    region_name_known = fields.Boolean(required=True, metadata={
        "description": "false: the KATO classifier has no name for the region (yet)"})


class DistrictLine(DrillLine, InDistrict):
    organisations = fields.Integer(required=True)


class OrganisationLine(DrillLine, InDistrict):
    organisation_id = fields.String(required=True)
    name_ru = fields.String(allow_none=True)
    kind = fields.String(required=True)
    small_class = fields.Boolean(allow_none=True)


class Districts(Schema):
    programme_id = fields.String(required=True)
    lang = fields.String(required=True, metadata={"description": "kk, ru or en"})
    districts = fields.List(fields.Nested(DistrictLine), required=True)


class Organisations(Schema):
    programme_id = fields.String(required=True)
    lang = fields.String(required=True, metadata={"description": "kk, ru or en"})
    organisations = fields.List(fields.Nested(OrganisationLine), required=True)


class ImportedFrom(Schema):
    file = fields.String(required=True, metadata={"example": "academy-2024-05.csv"})
    sha256 = fields.String(required=True, metadata={
        "description": "The SHA-256 of the file's content, as the importer declared it"})


class EventBehind(Schema):
    source = fields.String(required=True, metadata={"example": "registry"})
    notification_id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"example": "OrganisationJoinedProgramme"})
    time = fields.String(required=True, allow_none=True, metadata={
        "description": "When it was recorded (null in a model from before version 3, until "
                       "its rebuild)"})
    recorded_by = fields.String(required=True, allow_none=True, metadata={
        "example": "academy", "description": "The calling system (its platform account) "
        "whose command recorded the event; null for an event recorded before the platform "
        "kept it, or by a service on its own"})
    imported_from = fields.Nested(ImportedFrom, required=True, allow_none=True, metadata={
        "description": "For a fact that came in an imported file: the file; else null"})
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
    next_after = fields.String(allow_none=True, required=True)


class Approval(Schema):
    approval_id = fields.String(required=True, metadata={"example": "apr_3f2a9c1b7d20"})
    programme_id = fields.String(required=True)
    approved_by = fields.String(required=True, metadata={"description": "the funder"})
    approved_at = fields.DateTime(required=True)
    up_to = fields.DateTime(required=True, metadata={
        "description": "the figures are the model's as it stood then"})
    note = fields.String(allow_none=True)
    figures = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                          required=True, metadata={
                              "description": "each targeted indicator and the money totals"})


class Change(Schema):
    figure = fields.String(required=True)
    approved = fields.Raw(allow_none=True)
    preliminary = fields.Raw(allow_none=True)
    events_since = fields.Integer(required=True, metadata={
        "description": "events recorded after `up_to` behind the figure"})
    events = fields.List(fields.Nested(EventBehind), required=True, metadata={
        "description": "the first of them; the events endpoint has them all"})


class ApprovalWithChanges(Approval):
    changes = fields.List(fields.Nested(Change), required=True)


class Error(Schema):
    error = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    errors = fields.Dict(metadata={
        "description": "Per field, what is wrong (400)"})
