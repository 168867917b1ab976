"""The dashboard in a browser: a login form that exchanges a funder's token for a session
cookie, and the programme's page (HTML drawn on the server, no script)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nameko.web.handlers import http
from werkzeug.wrappers import Response

from services.reporting.api import access, tokens
from services.reporting.api.render import dashboard, login, trends
from services.reporting.api.responses import (
    PROGRAMME_PATH,
    SESSION_COOKIE,
    answered,
    html_response,
    json_response,
    same_origin,
)
from services.reporting.figures import daily, provenance
from services.reporting.figures.places import in_language
from shared.validation import load


class BrowserHttp:
    """Mixed into the service; programme pages go through `self._for_funder` (FunderHttp)."""

    @http("GET", "/v1/login")
    def login(self, request: Any) -> Response:
        """A form that exchanges a funder's token for a session cookie, `?lang=kk|ru|en`
        (default kk, as the dashboard), saying where a token comes from."""
        return html_response(dashboard.login_page(request.args.get("programme_id", ""),
                                                  login.language(request.args.get("lang"))))

    @http("POST", "/v1/session")
    @answered
    def session(self, request: Any) -> Response:
        """Form post {token, programme_id, lang}: a valid token opens a dashboard session,
        whose own secret is set as an HttpOnly, SameSite=Strict cookie, and the browser goes
        to the dashboard in the form's language. A bad token gets the form again, 401, in
        the same language. A post from another site's page
        (its Origin, or failing that its Referer, is not this host) is refused, 403: no page
        elsewhere can log a browser in."""
        if not same_origin(request):
            return json_response({"error": "forbidden", "message": "a login must come from this "
                          "site's own form", "errors": {"Origin": [
                              "Must be this site's own origin."]}}, 403)
        lang = login.language(request.form.get("lang"))
        programme_id = load(PROGRAMME_PATH, {
            "programme_id": request.form.get("programme_id", "")})["programme_id"]
        with self.read_model.cursor() as cur:
            found = tokens.token_of(cur, f"Bearer {request.form.get('token', '').strip()}")
            secret = None if found is None else tokens.open_session(cur, found[0])
        if secret is None:
            return html_response(dashboard.login_page(programme_id, lang, "invalid_token"),
                                 401)
        response = Response(status=303, headers={
            "Location": f"/v1/dashboard/{quote(programme_id, safe='')}?lang={lang}"})
        response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="Strict",
                            path="/v1/", max_age=tokens.SESSION_HOURS * 3600,
                            secure=request.headers.get("X-Forwarded-Proto") == "https")
        return response

    @http("GET", "/v1/dashboard/<string:programme_id>")
    @answered
    def dashboard(self, request: Any, programme_id: str) -> Response:
        """The programme's dashboard, `?lang=kk|ru|en` (default kk): indicators against
        targets, money, learning outcomes, districts, and the audit view (the figures day
        by day, who recorded them, the grants); charts drawn on the server."""
        lang = login.language(request.args.get("lang"))
        as_of = request.args.get("as_of") or None  # checked by _for_funder before drawing

        def key(stamp: tuple[Any, ...]) -> tuple[str, ...]:
            # Drawn once per state of the model and of the daily series it charts (kept
            # beside the model, not in it): drawing the charts was most of a page's time.
            # The moment asked for is in the page's links, so in its key too.
            return ("dashboard", lang, *map(str, stamp), as_of or "", programme_id)

        def build(cur: Any, schema: str) -> Response:
            stamp = daily.stamp(cur)  # before the series: see daily.stamp
            series = daily.series(cur, programme_id)

            def render() -> str:
                report = self.read_model.report(cur, programme_id, schema)
                return dashboard.page(report, in_language(self.read_model.drill_down(
                    cur, programme_id, schema, "districts"), lang), lang, series,
                    provenance.of_programme(cur, schema, programme_id,
                                            trends.audited(report)), as_of)
            return html_response(str(self.read_model.rendered(
                cur, schema, programme_id, key(stamp), render)))

        def cached(who: access.Access) -> Response | None:
            page = None if who.daily is None else self.read_model.cached_rendered(
                who, programme_id, key(who.daily))
            return None if page is None else html_response(str(page))
        response = self._for_funder(request, programme_id, "dashboard", build,
                                    allow_cookie=True, cached=cached)
        if response.status_code == 401:
            return html_response(dashboard.login_page(programme_id, lang), 401)
        return response
