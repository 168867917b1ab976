"""Public contracts of the equipment service, version 1.

Every cabinet event carries the cabinet's keys (programme, organisation, kind, district), so
a consumer needs no other event to place it. Money is an integer number of tenge.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts.registry import REGISTRY

KINDS = ["online_robotics", "science_lab", "combined"]


class _Cabinet(Schema):
    class Meta:
        ordered = True

    cabinet_id = fields.UUID(required=True)
    programme_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    district_code = fields.String(allow_none=True, load_default=None)


@REGISTRY.contract("CabinetAllocated", 1)
class CabinetAllocatedV1(_Cabinet):
    pupils = fields.Integer(required=True, strict=True)


@REGISTRY.contract("CabinetAllocationCancelled", 1)
class CabinetAllocationCancelledV1(_Cabinet):
    reason = fields.String(required=True)


@REGISTRY.contract("CabinetProcured", 1)
class CabinetProcuredV1(_Cabinet):
    contract_ref = fields.String(required=True)
    supplier = fields.String(required=True)
    commitment_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    cost_kzt = fields.Integer(required=True, strict=True)
    currency = fields.String(required=True, validate=validate.Equal("KZT"))
    procured_on = fields.Date(required=True)


class _Item(Schema):
    item = fields.String(required=True)
    quantity = fields.Integer(required=True, strict=True)


@REGISTRY.contract("CabinetDelivered", 1)
class CabinetDeliveredV1(_Cabinet):
    delivered_on = fields.Date(required=True)
    items = fields.List(fields.Nested(_Item), required=True)
    received_by = fields.String(required=True)


@REGISTRY.contract("CabinetCommissioned", 1)
class CabinetCommissionedV1(_Cabinet):
    accepted_on = fields.Date(required=True)
    internet_mbps = fields.Decimal(required=True, as_string=True)


@REGISTRY.contract("FaultReported", 1)
class FaultReportedV1(_Cabinet):
    fault_id = fields.String(required=True)
    reported_on = fields.Date(required=True)
    description = fields.String(required=True)


@REGISTRY.contract("FaultResolved", 1)
class FaultResolvedV1(_Cabinet):
    fault_id = fields.String(required=True)
    resolved_on = fields.Date(required=True)
    resolution = fields.String(required=True)


EXPENDITURE_CATEGORIES = ["seminars", "trainers_fees", "online_platform", "assessment",
                          "administration", "travel", "materials", "other"]


@REGISTRY.contract("ExpenditureRecorded", 1)
class ExpenditureRecordedV1(Schema):
    """Money spent on an activity other than a cabinet, charged to a funder's commitment."""

    class Meta:
        ordered = True

    commitment_id = fields.String(required=True)
    programme_id = fields.String(required=True)
    funder_id = fields.String(required=True)
    reference = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(EXPENDITURE_CATEGORIES))
    amount_kzt = fields.Integer(required=True, strict=True)
    currency = fields.String(required=True, validate=validate.Equal("KZT"))
    spent_on = fields.Date(required=True)
