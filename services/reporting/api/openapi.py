"""The OpenAPI 3 document of the report endpoints, generated with apispec from the same
marshmallow schemas the responses are dumped through (schemas.py)."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.reporting.api import schemas
from services.reporting.figures import behind
from shared.fields import OPAQUE_ID


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
    if csv:
        operation.setdefault("parameters", []).append(
            {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv"]}})
    return {"get": operation}


LANG = {"name": "lang", "in": "query", "required": False,
        "schema": {"type": "string", "enum": ["kk", "ru", "en"], "default": "kk"},
        "description": "The language of the labels and of the districts' and regions' "
                       "names (the KATO classifier's); CSV and XLSX name places in all "
                       "three as well"}


def _named(operations: dict[str, Any]) -> dict[str, Any]:
    operations["get"]["parameters"].append(LANG)
    return operations


def _approve() -> dict[str, Any]:
    """POST …/approvals: the implementing partner's approval of the figures up to a moment."""
    operation = _get("Approve the programme's figures as they stood at `up_to` (the "
                     "implementing partner only)", "Approval")["get"]
    operation["parameters"] = operation["parameters"][:1]  # the path; no as_of
    operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["up_to"], "properties": {
            "up_to": {"type": "string", "description": "a date (its end in Kazakhstan) or a "
                      "date-time with its offset, already over"},
            "note": {"type": "string", "maxLength": 500}}}}}}
    operation["responses"]["201"] = operation["responses"].pop("200")
    operation["responses"]["403"] = {
        "description": "The token's funder is not the programme's implementing partner",
        "content": {"application/json": {"schema": "Error"}}}
    return {"post": operation}


def document() -> dict[str, Any]:
    spec = APISpec(title="Baqylau funders' reports", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Each funder reads the programmes it funds or "
                                        "oversees, with its own bearer token."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for schema in (schemas.ProgrammeReport, schemas.ProgrammeList, schemas.Districts,
                   schemas.Organisations, schemas.FigureEvents, schemas.Approval,
                   schemas.Error):
        spec.components.schema(schema.__name__, schema=schema)
    spec.path("/v1/programmes", operations=_get("The token's programmes", "ProgrammeList"))
    spec.path("/v1/programmes/{programme_id}/report",
              operations=_named(_get("A programme's report", "ProgrammeReport", csv=True)))
    spec.path("/v1/programmes/{programme_id}/districts",
              operations=_named(_get("The report by district", "Districts", csv=True)))
    spec.path("/v1/programmes/{programme_id}/organisations",
              operations=_named(_get("The report by organisation", "Organisations",
                                     csv=True)))
    events = _get("The events behind a figure of the report, paginated", "FigureEvents")
    events["get"]["parameters"] += [
        {"name": "indicator", "in": "path", "required": True,
         "schema": {"type": "string", "enum": behind.figures()}},
        {"name": "after", "in": "query", "schema": {"type": "string"},
         "description": "the previous page's `next_after` (opaque); absent, empty or 0:"
                        " the first page"},
        {"name": "limit", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}]
    spec.path("/v1/programmes/{programme_id}/figures/{indicator}/events", operations=events)
    spec.path("/v1/programmes/{programme_id}/approvals", operations=_approve())
    for path, summary, media, fmt in (
            ("iati.xml", "The programme as an IATI 2.03 activity", "application/xml", None),
            ("report.xlsx", "The report as a workbook",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "binary"),
            ("report.pdf", "The dashboard as an A4 PDF to print and send: the moment and the "
             "approval status on every page", "application/pdf", "binary")):
        operations = _get(summary, "Error")
        if path != "iati.xml":
            _named(operations)
        if path == "report.pdf":
            operations["get"]["responses"]["503"] = {
                "description": "No render slot free within 2 s (`reason`: `pdf_busy`) or the "
                               "layout ran past 120 s (`pdf_timeout`); retry after "
                               "`Retry-After` seconds",
                "content": {"application/json": {"schema": "Error"}}}
        operations["get"]["responses"]["200"]["content"] = {
            media: {"schema": {"type": "string", **({"format": fmt} if fmt else {})}}}
        spec.path(f"/v1/programmes/{{programme_id}}/{path}", operations=operations)
    return spec.to_dict()
