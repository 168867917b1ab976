"""The report's sections on the cabinets' working state and on the schools' development, as
the response contracts (schemas.py nests them in ProgrammeReport)."""

from __future__ import annotations

from marshmallow import Schema, fields


class NamedSchool(Schema):
    """A school and its district, named by the classifier."""

    organisation_id = fields.String(required=True)
    name_ru = fields.String(allow_none=True)
    district_code = fields.String(allow_none=True, metadata={"example": "1522"})
    district_name_kk = fields.String(allow_none=True)
    district_name_ru = fields.String(allow_none=True)
    district_name_en = fields.String(allow_none=True)
    name_known = fields.Boolean(required=True, metadata={
        "description": "false: the KATO classifier has no name for the district (yet)"})


class SchoolCabinets(NamedSchool):
    cabinets = fields.Integer(required=True)
    commissioned = fields.Integer(required=True)
    working = fields.Integer(required=True, metadata={
        "description": "commissioned, and no fault open on it now"})
    faults_open = fields.Integer(required=True)
    faults_resolved = fields.Integer(required=True)
    internet_mbps = fields.String(allow_none=True, metadata={
        "description": "the slowest commissioned cabinet's internet, in Mbit/s, as measured "
                       "at commissioning (null: none commissioned)", "example": "8.4"})


class Cabinets(Schema):
    internet_need_mbps = fields.String(required=True, metadata={
        "description": "the internet a cabinet needs, in Mbit/s", "example": "10"})
    allocated = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    commissioned = fields.Integer(required=True)
    working = fields.Integer(required=True, metadata={
        "description": "commissioned cabinets with no fault open now"})
    faults_reported = fields.Integer(required=True, metadata={
        "description": "on the programme's cabinets: none whose allocation was cancelled"})
    faults_open = fields.Integer(required=True)
    faults_resolved = fields.Integer(required=True)
    days_to_resolve_median = fields.String(allow_none=True, metadata={
        "description": "of resolved faults, days from report to resolution (null: none)",
        "example": "2.0"})
    days_to_resolve_max = fields.Integer(allow_none=True)
    internet_mbps_median = fields.String(allow_none=True, metadata={
        "description": "over commissioned cabinets, in Mbit/s", "example": "9.9"})
    cabinets_below_need = fields.Integer(required=True, metadata={
        "description": "commissioned cabinets measured below internet_need_mbps"})
    schools_below_need = fields.Integer(required=True, metadata={
        "description": "schools with at least one such cabinet"})
    schools = fields.List(fields.Nested(SchoolCabinets), required=True, metadata={
        "description": "open faults first, then the slowest internet, then the id"})


class Strategy(Schema):
    strategy_id = fields.String(required=True)
    title = fields.String(required=True)
    adopted_on = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True)


class Project(Schema):
    project_id = fields.String(required=True)
    title = fields.String(required=True)
    launched_on = fields.Date(required=True)


class Partner(Schema):
    partnership_id = fields.String(required=True)
    partner_name = fields.String(required=True)
    partner_kind = fields.String(required=True, metadata={
        "description": "business, ngo, university, government, school or other"})
    signed_on = fields.Date(required=True)
    purpose = fields.String(required=True)
    memorandum_ref = fields.String(required=True, metadata={
        "description": "the memorandum's number"})


class SchoolDevelopment(NamedSchool):
    strategy = fields.Nested(Strategy, allow_none=True, metadata={
        "description": "the development strategy adopted last (null: none adopted)"})
    projects = fields.List(fields.Nested(Project), required=True)
    partners = fields.List(fields.Nested(Partner), required=True)


class Development(Schema):
    strategies_adopted = fields.Integer(required=True, metadata={
        "description": "schools with an adopted development strategy"})
    projects = fields.Integer(required=True)
    partners = fields.Integer(required=True, metadata={"description": "distinct partners"})
    memoranda = fields.Integer(required=True, metadata={"description": "partnerships signed"})
    organisations = fields.List(fields.Nested(SchoolDevelopment), required=True, metadata={
        "description": "the schools with a strategy, a project or a partner"})
