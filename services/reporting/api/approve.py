"""The implementing partner approves a programme's figures up to a moment: POST
/v1/programmes/{id}/approvals {"up_to": "2024-12-31", "note": "..."} with its bearer token.
Only a funder with the `implementing` role in the programme may (403 for the others, the
usual 404 for a programme that is not the token's, 401 without a valid token)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.reporting.api import schemas, tokens
from services.reporting.api.responses import (
    PROGRAMME_PATH,
    REPORT_REQUESTS,
    answered,
    json_response,
    not_found,
    unauthorized,
)
from services.reporting.figures import approvals, moments, reports
from services.reporting.ingest import tables
from services.reporting.ingest.tables import q
from shared.errors import InvalidInput, invalid
from shared.fields import Text
from shared.validation import load


def _moment_over(text: str) -> datetime:
    """The moment approved: a date (its end in Kazakhstan) or a date-time with its offset,
    and one that is over, since an approval covers what was recorded by then."""
    try:
        moment = moments.cutoff(text.strip())
    except InvalidInput as exc:
        raise ValidationError(exc.errors["as_of"]) from None
    if moment is None:
        raise ValidationError("Must be a moment that is over: an approval covers what had "
                              "been recorded by then.")
    return moment


class ApproveFigures(Schema):
    up_to = fields.String(required=True, validate=_moment_over,
                          metadata={"example": "2024-12-31"})
    note = Text(max_length=500, load_default=None, allow_none=True)

    @post_load
    def as_moment(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "up_to": _moment_over(data["up_to"])}


def _forbidden() -> Response:
    return json_response({"error": "forbidden", "message": "only the programme's implementing "
                          "partner may approve its figures", "errors": {"Authorization": [
                              "Not the programme's implementing partner."]}}, 403)


class ApprovalHttp:
    """Mixed into the service: `self.read_model` is its ReadModel."""

    @http("POST", "/v1/programmes/<string:programme_id>/approvals")
    @answered
    def approve(self, request: Any, programme_id: str) -> Response:
        """Approve the programme's figures as they stood at `up_to`; 201 with the approval
        and the figures it fixes."""
        load(PROGRAMME_PATH, {"programme_id": programme_id})
        response = self._approved(request, programme_id)
        REPORT_REQUESTS.labels("approve", str(response.status_code)).inc()
        return response

    def _approved(self, request: Any, programme_id: str) -> Response:
        model = self.read_model
        with model.cursor() as cur:
            found = tokens.token_of(cur, request.headers.get("Authorization"))
            if found is None:
                return unauthorized()
            token_id, funder_id = found
            live = tables.current(cur)
            if programme_id not in reports.visible_programmes(cur, funder_id, live):
                return not_found(programme_id)
            cur.execute(q("SELECT 1 FROM {s}.funder_roles WHERE programme_id = %s AND"
                          " funder_id = %s AND role = 'implementing'", live),
                        (programme_id, funder_id))
            if cur.fetchone() is None:
                return _forbidden()
            try:
                body = json.loads(request.get_data() or b"{}")
            except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
                raise invalid({"_schema": ["The body must be a JSON object."]}) from None
            asked = load(ApproveFigures(), body if isinstance(body, dict) else {})
            moment = asked["up_to"]
            schema = moments.at(cur, moment)
            approval = approvals.record(cur, programme_id, funder_id, token_id, moment,
                                        asked["note"],
                                        approvals.snapshot(cur, programme_id, schema))
            # Cached reports key on the programme's version: they now show the approval.
            tables.bump(cur, tables.current(cur), {programme_id})
        return json_response(schemas.Approval().dump(approval), 201)
