"""The funders' HTTP API: their programmes, each report (JSON, CSV, XLSX, PDF, IATI), its
drill-downs and the events behind each figure, as of now or a past moment; the OpenAPI
document. Every programme endpoint answers only the token's funder."""

from __future__ import annotations

import json
from typing import Any, Callable

import psycopg2
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.reporting.api import access, openapi, printing, schemas, tokens
from services.reporting.api.render import pdf, xlsx
from services.reporting.api.render.csv import report_csv, rows_csv
from services.reporting.api.requests import EventsPage, Language
from services.reporting.api.responses import (
    PROGRAMME_PATH,
    REPORT_REQUESTS,
    SESSION_COOKIE,
    answered,
    json_response,
    not_found,
    unauthorized,
)
from services.reporting.figures import behind, daily, moments, reports
from services.reporting.figures.places import in_all_languages, in_language
from services.reporting.ingest import tables
from shared.validation import load

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FunderHttp:
    """Mixed into the service: `self.read_model` is its ReadModel."""

    @http("GET", "/v1/programmes")
    @answered
    def programmes(self, request: Any) -> Response:
        """The programmes the token's funder takes part in."""
        with self.read_model.cursor() as cur:
            funder_id = tokens.funder_of(cur, request.headers.get("Authorization"))
            if funder_id is None:
                REPORT_REQUESTS.labels("programmes", "401").inc()
                return unauthorized()
            body = {"funder_id": funder_id, "programmes": reports.visible_programmes(
                cur, funder_id, tables.current(cur))}
        REPORT_REQUESTS.labels("programmes", "200").inc()
        return json_response(schemas.ProgrammeList().dump(body))

    @http("GET", "/v1/programmes/<string:programme_id>/report")
    @answered
    def programme_report(self, request: Any, programme_id: str) -> Response:
        """A programme's report: indicators (target, actual, share) and money, exact to the
        tenge. `?format=csv` for CSV: one table, a figure per row (render/csv.py), its
        names in `?lang=kk|ru|en` (default kk)."""
        if request.args.get("format") == "csv":
            lang = _language(request)
            return self._rendered(request, programme_id, "report", ("report.csv", lang),
                                  "text/csv", lambda cur, schema: report_csv(
                                      self.read_model.report(cur, programme_id, schema), lang))
        return self._rendered(request, programme_id, "report", ("report.json",),
                              "application/json", lambda cur, schema: (
                                  self.read_model.report_json(cur, programme_id, schema)))

    @http("GET", "/v1/programmes/<string:programme_id>/report.xlsx")
    @answered
    def report_xlsx(self, request: Any, programme_id: str) -> Response:
        """The report as an XLSX workbook: indicators, money, learning outcomes, districts,
        organisations, one sheet each; districts and regions named in `?lang=kk|ru|en`
        (default kk) and then in all three languages."""
        lang = _language(request)

        def render(cur: Any, schema: str) -> bytes:
            return xlsx.workbook(self.read_model.report(cur, programme_id, schema),
                                 *(in_all_languages(self.read_model.drill_down(
                                     cur, programme_id, schema, level), lang)
                                   for level in ("districts", "organisations")))
        return self._rendered(request, programme_id, "xlsx", ("report.xlsx", lang), XLSX,
                              render, {"Content-Disposition":
                                       f'attachment; filename="{programme_id}.xlsx"'})

    @http("GET", "/v1/programmes/<string:programme_id>/report.pdf")
    @answered
    def report_pdf(self, request: Any, programme_id: str) -> Response:
        """The dashboard as an A4 PDF to print and send, in `?lang=kk|ru|en` (default kk),
        `?as_of=` as on the report: its figures and charts, every page headed by the
        programme and the moment the figures stand at, footed by whether they are approved
        (by whom, up to when) and numbered. Made on the server once per state of the model
        and of the daily series it charts (render/pdf.py), after the request's transaction
        is over; 503 with Retry-After when every render slot stays busy or the render takes
        too long. The dashboard's session cookie opens it too: the dashboard links to it."""
        lang = _language(request)
        as_of = request.args.get("as_of") or None  # checked by _for_funder before drawing
        headers = {"Content-Disposition": f'inline; filename="{programme_id}-{lang}.pdf"'}

        def key(stamp: tuple[Any, ...]) -> tuple[str, ...]:
            # The moment as asked is printed on the page (the state keys it as parsed).
            return ("report.pdf", lang, *map(str, stamp), as_of or "", programme_id)

        def build(cur: Any, schema: str) -> printing.AfterTransaction:
            stamp = daily.stamp(cur)  # before the series: see daily.stamp
            moment = moments.parse(request.args)

            def draw() -> pdf.Printable:
                report = self.read_model.report(cur, programme_id, schema)
                page = printing.dashboard_page(self.read_model, cur, schema, report, lang, moment,
                                       as_of)
                return pdf.document(page, report, lang, moment)
            printable = self.read_model.rendered(cur, schema, programme_id, key(stamp), draw)
            return printing.AfterTransaction(lambda: printing.printed(printable, headers))

        def cached(who: access.Access) -> Response | None:
            # A bearer token's question does not carry the daily series' stamp: it goes
            # the full way, one short transaction, to the same cached page.
            printable = None if who.daily is None else self.read_model.cached_rendered(
                who, programme_id, key(who.daily))
            return None if printable is None else printing.printed(printable, headers)
        return self._for_funder(request, programme_id, "report_pdf", build,
                                allow_cookie=True, cached=cached)

    @http("GET", "/v1/programmes/<string:programme_id>/iati.xml")
    @answered
    def iati_activity(self, request: Any, programme_id: str) -> Response:
        """The programme as an IATI 2.03 activity (participating orgs, budget, transactions,
        sectors, results)."""
        return self._rendered(request, programme_id, "iati", ("iati.xml",), "application/xml",
                              lambda cur, schema: self.read_model.iati_xml(
                                  cur, programme_id, schema))

    # Only these two: any other path under a programme is not this endpoint's (nor GET's).
    @http("GET", "/v1/programmes/<string:programme_id>/<any(districts, organisations):level>")
    @answered
    def drill_down(self, request: Any, programme_id: str, level: str) -> Response:
        """`districts` or `organisations` of a programme: pupils, participants trained,
        cabinets (commissioned), pupils assessed, each district and its region by their
        classifier names in `?lang=kk|ru|en` (default kk; the code, with `name_known:
        false` or `region_name_known: false`, where the classifier has no name).
        `?format=csv` for CSV, which names them in the asked language and then in all three
        (`district_name_kk`, …, `region_name_en`).

        Example line: {"district_code": "1532", "district_name": "Алға ауданы",
        "name_known": true, "region_code": "15", "region_name": "Ақтөбе облысы",
        "region_name_known": true, "organisations": 24, "pupils": 1840, ...}"""
        lang = _language(request)
        csv = request.args.get("format") == "csv"

        def render(cur: Any, schema: str) -> str:
            lines = self.read_model.drill_down(cur, programme_id, schema, level)
            if csv:
                return rows_csv(in_all_languages(lines, lang))
            view = schemas.Districts() if level == "districts" else schemas.Organisations()
            return json.dumps(view.dump({"programme_id": programme_id, "lang": lang,
                                         level: in_language(lines, lang)}), ensure_ascii=False)
        return self._rendered(request, programme_id, level, (level, lang, str(csv)),
                              "text/csv" if csv else "application/json", render)

    @http("GET", "/v1/programmes/<string:programme_id>/figures/<string:indicator>/events")
    @answered
    def figure_events(self, request: Any, programme_id: str, indicator: str) -> Response:
        """The events behind one figure of the report (an indicator or a money total such
        as `committed_kzt`), each with what it adds and who recorded it (`recorded_by`, and
        `imported_from` {file, sha256} for a fact that came in an imported file; null where
        the event names none); they sum to the figure (for a percentage, each part to its
        count). `?after=0&limit=100` pages; `?as_of=` as on the report.

        Example event: {"source": "/baqylau/training", "notification_id": 812,
        "type": "TrainingCompleted", "time": "2024-05-02T09:14:03+00:00",
        "recorded_by": "academy", "imported_from": {"file": "completions-may.csv",
        "sha256": "9f86d0…"}, "value": 1, "fields": {"participant_id": "T-17", ...}}"""
        def build(cur: Any, schema: str) -> Response:
            page = load(EventsPage(), {k: request.args[k] for k in ("after", "limit")
                                       if k in request.args})
            if indicator not in behind.figures():
                return json_response({"error": "not_found",
                                      "message": f"no figure {indicator}"}, 404)
            return json_response(schemas.FigureEvents().dump({
                "programme_id": programme_id, "indicator": indicator,
                **behind.page(cur, schema, programme_id, indicator, page["after"],
                              page["limit"], remember=lambda key, compute: (
                                  self.read_model.reports.get(cur, schema, programme_id, key,
                                                              compute)))}))
        return self._for_funder(request, programme_id, "figure_events", build)

    def _for_funder(self, request: Any, programme_id: str, endpoint: str,
                    build: Callable[[Any, str], Response | printing.AfterTransaction],
                    allow_cookie: bool = False,
                    cached: Callable[[access.Access], Response | None] | None = None
                    ) -> Response:
        """Every programme endpoint: 401 without a valid token, the same 404 for another
        funder's programme as for none, else `build(cursor, live schema)`, finished after
        the transaction where it answers printing.AfterTransaction; counted. The session cookie
        counts only where asked (the HTML dashboard), never for the API. With `cached`,
        one statement settles the token and the programme first, and what `cached` finds
        for that state of the model is served with no transaction."""
        load(PROGRAMME_PATH, {"programme_id": programme_id})  # 400 names it: NUL, junk
        authorization = request.headers.get("Authorization")
        # A session cookie counts only where asked, and only without an Authorization header.
        session = (request.cookies.get(SESSION_COOKIE)
                   if allow_cookie and authorization is None else None)
        response = None
        if cached is not None and "as_of" not in request.args:  # parsed after the token
            response = self._answered_at_once(authorization, session, programme_id, cached)
        if response is not None:
            REPORT_REQUESTS.labels(endpoint, str(response.status_code)).inc()
            return response
        with self.read_model.cursor() as cur:
            funder_id = (tokens.funder_of_session(cur, session) if session else
                         tokens.funder_of(cur, authorization))
            if funder_id is None:
                response = unauthorized()
            else:
                schema = self._schema_asked(cur, request)
                if programme_id in reports.visible_programmes(cur, funder_id, schema):
                    response = build(cur, schema)
                else:
                    response = not_found(programme_id)
        if isinstance(response, printing.AfterTransaction):
            response = response.finish()
        REPORT_REQUESTS.labels(endpoint, str(response.status_code)).inc()
        return response

    def _rendered(self, request: Any, programme_id: str, endpoint: str, key: tuple[str, ...],
                  mimetype: str, render: Callable[[Any, str], str | bytes],
                  headers: dict[str, str] | None = None) -> Response:
        """A programme endpoint whose answer depends only on the model's state and `key`
        (the arguments that change it): rendered once per state, and once rendered, served
        after one statement (`_answered_at_once`)."""
        key = (*key, programme_id)

        def build(cur: Any, schema: str) -> Response:
            body = self.read_model.rendered(cur, schema, programme_id, key,
                                           lambda: render(cur, schema))
            return Response(body, status=200, mimetype=mimetype, headers=headers)

        def cached(who: access.Access) -> Response | None:
            body = self.read_model.cached_rendered(who, programme_id, key)
            return None if body is None else Response(body, status=200, mimetype=mimetype,
                                                      headers=headers)
        return self._for_funder(request, programme_id, endpoint, build, cached=cached)

    def _answered_at_once(self, authorization: str | None, session: str | None,
                          programme_id: str,
                          cached: Callable[[access.Access], Response | None]
                          ) -> Response | None:
        """401, 404 or the cached answer after one statement; None to go the full way."""
        try:
            with self.read_model.statement() as cur:
                who = (access.ask_session(cur, session, programme_id) if session else
                       access.ask(cur, authorization, programme_id))
        except psycopg2.ProgrammingError:
            # A rebuild dropped the schema between the pointer and the query (or this
            # database predates the function): the full way reads the pointer afresh.
            return None
        if who is None:
            return unauthorized()
        if not who.visible:
            return not_found(programme_id)
        return cached(who)

    def _schema_asked(self, cur: Any, request: Any) -> str:
        """The live read model, or with `?as_of=` the same as it was at that moment."""
        moment = moments.parse(request.args)
        return tables.current(cur) if moment is None else moments.at(cur, moment)

    @http("GET", "/v1/openapi.json")
    def openapi(self, request: Any) -> Response:
        """The OpenAPI 3 document of the report endpoints (no token needed)."""
        return json_response(openapi.document())


def _language(request: Any) -> str:
    """The asked language of places' names; a wrong one is a 400 naming `lang`."""
    asked = {"lang": request.args["lang"]} if "lang" in request.args else {}
    return str(load(Language(), asked)["lang"])
