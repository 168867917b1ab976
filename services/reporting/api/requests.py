"""The admin RPC's and the endpoints' request schemas (the responses' are in schemas.py)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from services.reporting.figures import behind
from shared.fields import Ref


def _a_cursor(after: str) -> None:
    try:
        behind.after_key(after)
    except ValueError:
        raise ValidationError("Not a cursor of this list: give the previous page's"
                              " `next_after`, or nothing (or 0) for the first page.") from None


class EventsPage(Schema):
    # Opaque: the previous page's `next_after`; absent, empty or 0 asks for the first page.
    after = fields.String(load_default=None, validate=_a_cursor)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class Language(Schema):
    """`?lang=` of the drill-downs and exports: the language of the places' names."""

    lang = fields.String(load_default="kk", validate=validate.OneOf(["kk", "ru", "en"]))


class IssueToken(Schema):
    funder_id = Ref(required=True)


class RevokeToken(Schema):
    token_id = fields.String(required=True)


class ListTokens(Schema):
    funder_id = Ref(load_default=None)
    include_revoked = fields.Boolean(load_default=False)


class TokenView(Schema):
    token_id = fields.String()
    funder_id = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
