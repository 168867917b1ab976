"""Marshmallow contracts of the equipment RPC API: commands in, views out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.equipment.domain import CABINET_KINDS
from shared.contracts.equipment_events import EXPENDITURE_CATEGORIES
from shared.fields import Ref, Text

MAX_KZT = 10**13
MAX_CONTRACT_ITEMS = 500
KIND_LIST = dict(validate=validate.Length(min=1, max=3))


class Command(Schema):
    class Meta:
        unknown = RAISE  # a misspelt field is an error, not silently ignored


class SetAllocationRule(Command):
    """E.g. Aktobe: threshold 80, above → online_robotics + science_lab, else combined."""

    programme_id = Ref(required=True)
    threshold_pupils = fields.Integer(required=True, strict=True,
                                      validate=validate.Range(0, 5000))
    above = fields.List(fields.String(validate=validate.OneOf(CABINET_KINDS)), required=True,
                        **KIND_LIST)
    at_or_below = fields.List(fields.String(validate=validate.OneOf(CABINET_KINDS)),
                              required=True, **KIND_LIST)
    kinds = fields.List(fields.String(validate=validate.OneOf(
        ["school", "preschool", "further_education"])), load_default=["school"])

    @validates_schema
    def no_repeats(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("above", "at_or_below"):
            if name in data and len(set(data[name])) != len(data[name]):
                raise ValidationError("Must not repeat a cabinet kind.", name)


class ContractItem(Command):
    cabinet_id = fields.UUID(required=True)
    # strict: money crosses the API as a JSON integer of tenge, never a float or a string.
    cost_kzt = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_KZT))


class Procure(Command):
    contract_ref = Ref(required=True)
    supplier = Text(max_length=200, required=True)
    commitment_id = Ref(required=True)
    procured_on = fields.Date(required=True)
    items = fields.List(fields.Nested(ContractItem), required=True,
                        validate=validate.Length(min=1, max=MAX_CONTRACT_ITEMS))

    @validates_schema
    def each_cabinet_once(self, data: dict[str, Any], **_: Any) -> None:
        ids = [item["cabinet_id"] for item in data.get("items", [])]
        if len(set(ids)) != len(ids):
            raise ValidationError("A cabinet appears more than once.", "items")


class DeliveredItem(Command):
    item = Text(max_length=200, required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))


class Deliver(Command):
    cabinet_id = fields.UUID(required=True)
    delivered_on = fields.Date(required=True)
    items = fields.List(fields.Nested(DeliveredItem), required=True,
                        validate=validate.Length(min=1, max=200))
    received_by = Ref(required=True)  # the school's staff id: never a person's name


class Commission(Command):
    cabinet_id = fields.UUID(required=True)
    accepted_on = fields.Date(required=True)
    internet_mbps = fields.Decimal(required=True, places=1,
                                   validate=validate.Range(Decimal(0), Decimal(10000)))


class ReportFault(Command):
    cabinet_id = fields.UUID(required=True)
    fault_id = Ref(required=True)
    reported_on = fields.Date(required=True)
    description = Text(max_length=500, required=True)


class ResolveFault(Command):
    cabinet_id = fields.UUID(required=True)
    fault_id = Ref(required=True)
    resolved_on = fields.Date(required=True)
    resolution = Text(max_length=500, required=True)


class CabinetQuery(Command):
    cabinet_id = fields.UUID(required=True)


class CommitmentQuery(Command):
    commitment_id = Ref(required=True)


class ProgrammeQuery(Command):
    programme_id = Ref(required=True)


class ListCabinets(Command):
    programme_id = Ref(required=True)
    organisation_id = Ref(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["allocated", "cancelled", "procured", "delivered", "commissioned"]))
    after = fields.UUID(load_default=None)
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


# ---------------------------------------------------------------- views
class CabinetView(Schema):
    id = fields.UUID()
    programme_id = fields.String()
    organisation_id = fields.String()
    kind = fields.String()
    district_code = fields.String(allow_none=True)
    status = fields.String()
    procurement = fields.Function(lambda c: None if c.procurement is None else {
        **c.procurement, "procured_on": c.procurement["procured_on"].isoformat()})
    delivered_on = fields.Date(allow_none=True)
    commissioned_on = fields.Date(allow_none=True)
    internet_mbps = fields.Decimal(as_string=True, allow_none=True)
    open_faults = fields.Function(lambda c: sorted(
        f for f, v in c.faults.items() if v["resolved_on"] is None))


class RuleView(Schema):
    programme_id = fields.String()
    threshold_pupils = fields.Integer()
    above = fields.List(fields.String())
    at_or_below = fields.List(fields.String())
    kinds = fields.List(fields.String())


class RecordExpenditure(Command):
    commitment_id = Ref(required=True)
    reference = Ref(required=True)  # the payment order or invoice: the natural key
    amount_kzt = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    spent_on = fields.Date(required=True)
    category = fields.String(required=True,
                             validate=validate.OneOf(EXPENDITURE_CATEGORIES))


class LedgerView(Schema):
    commitment_id = fields.String()
    programme_id = fields.String()
    funder_id = fields.String()
    scope = fields.String()
    amount_kzt = fields.Integer()
    charged_kzt = fields.Integer()
    remaining_kzt = fields.Integer()
    charges = fields.Dict(keys=fields.String(), values=fields.Integer())
