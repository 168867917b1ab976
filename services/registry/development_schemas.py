"""Marshmallow contracts of the registry's development commands (a school's strategies,
projects and partnerships): commands in, views out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.registry.development import PARTNER_KINDS
from services.registry.schemas import Command
from shared.fields import Ref, Text


class DevelopmentCommand(Command):
    """Every development fact names the programme it is recorded for (the caller's grant is
    checked against it) and the school it is about."""

    programme_id = Ref(required=True)
    organisation_id = Ref(required=True)


class AdoptStrategy(DevelopmentCommand):
    strategy_id = Ref(required=True)
    title = Text(required=True)
    adopted_on = fields.Date(required=True)
    valid_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def valid_after_adoption(self, data: dict[str, Any], **_: Any) -> None:
        until, adopted = data.get("valid_until"), data.get("adopted_on")
        if until is not None and adopted is not None and until < adopted:
            raise ValidationError("Must not be before adopted_on.", "valid_until")


class LaunchProject(DevelopmentCommand):
    project_id = Ref(required=True)
    title = Text(required=True)
    launched_on = fields.Date(required=True)
    strategy_id = Ref(load_default=None, allow_none=True, metadata={
        "description": "the school's own strategy the project serves; null: none yet"})


class SignPartnership(DevelopmentCommand):
    partnership_id = Ref(required=True)
    partner_name = Text(required=True)
    partner_kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS))
    signed_on = fields.Date(required=True)
    purpose = Text(required=True)
    memorandum_ref = Text(max_length=64, required=True, metadata={
        "description": "the memorandum's number, as both parties wrote it"})


# ---------------------------------------------------------------- views
class DevelopmentView(Schema):
    programme_id = fields.String()
    organisation_id = fields.String()


class StrategyView(DevelopmentView):
    strategy_id = fields.String()
    title = fields.String()
    adopted_on = fields.Date()
    valid_until = fields.Date(allow_none=True)


class ProjectView(DevelopmentView):
    project_id = fields.String()
    title = fields.String()
    launched_on = fields.Date()
    strategy_id = fields.String(allow_none=True)


class PartnershipView(DevelopmentView):
    partnership_id = fields.String()
    partner_name = fields.String()
    partner_kind = fields.String()
    signed_on = fields.Date()
    purpose = fields.String()
    memorandum_ref = fields.String()
