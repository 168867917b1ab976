"""The reporting service: the funders' read model, fed by every service's events, served
on token-protected HTTP report endpoints (JSON and CSV)."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import logging
import secrets
import time
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit

import kombu
import psycopg2
import psycopg2.pool
from marshmallow import Schema, fields, validate
from nameko.extensions import DependencyProvider
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from werkzeug.wrappers import Response

from services.reporting import (
    access,
    cache,
    daily,
    dashboard,
    feed,
    history,
    iati,
    readmodel,
    reconcile,
    reports,
    schemas,
    tokens,
    trace,
    xlsx,
)
from services.reporting.spreadsheet import csv_cell, csv_row
from shared.commands import command
from shared.config import amqp_uri
from shared.contracts.registry import schema_instance
from shared.errors import InvalidInput, NotFound
from shared.fields import Ref
from shared.metrics import RpcMetrics
from shared.supervision import keep_running
from shared.validation import load

log = logging.getLogger(__name__)
SESSION_COOKIE = "baqylau_session"
MAX_CATCH_UP_DEFERRALS = 4  # rounds the periodic catch-up may wait for a busy stream
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_REQUESTS = Counter("baqylau_report_requests_total", "Report endpoint requests",
                          ["endpoint", "status"])


class ReadModel(DependencyProvider):
    """Owns the read model's database and runs the live feed and the periodic catch-up.

    Config: READ_MODEL: {host, port, dbname, user, password, catch_up_interval: 30,
    sources: [registry, training, equipment, assessment]}; AMQP_URI.
    """

    def setup(self) -> None:
        config = self.container.config
        self.dsn = " ".join(f"{key}={config['READ_MODEL'][key]}" for key in (
            "host", "port", "dbname", "user", "password"))
        self.interval = float(config["READ_MODEL"].get("catch_up_interval", 30))
        self.as_of_builds_per_hour = int(config["READ_MODEL"].get(
            "as_of_builds_per_hour", history.BUILDS_PER_HOUR))
        self.sources = tuple(config["READ_MODEL"].get("sources") or feed.SOURCES)
        self.amqp_uri = amqp_uri(config)
        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cur:
            # Replicas starting together would race on the same DDL (CREATE OR REPLACE
            # FUNCTION fails with "tuple concurrently updated"); one at a time.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('baqylau_reporting_setup'))")
            readmodel.ensure_current(cur)
            cur.execute(tokens.DDL)
            cur.execute(daily.DDL)
            cur.execute(history.DDL)
            cur.execute(access.DDL)
            # A model built by an older version is rebuilt from the logs once the sources
            # answer (the catch-up thread does it); its past moments are dropped now.
            self.rebuild_needed = readmodel.outdated(cur)
            if self.rebuild_needed:
                log.warning("the read model predates version %d: past moments dropped (%d); "
                            "it is rebuilt from the logs", readmodel.MODEL_VERSION,
                            history.forget_all(cur))
        conn.close()
        self.live: feed.LiveFeed | None = None
        self._stopping = False
        self.reports = cache.ReportCache()
        # The events behind a past moment's figures never change: the last moment's trace is
        # kept, so paging through it reads the logs once, not once per page. One only: a
        # trace holds an event per unit counted.
        self.past_traces = cache.ReportCache(size=1)
        self.follower = trace.Follower(self.amqp_uri, self.sources)
        # psycopg2's pool closes every connection returned beyond `minconn`: with 1, each
        # concurrent request opened a new connection (a tenth of the report's time).
        # One per worker, plus the catch-up's daily record.
        size = int(config.get("max_workers", 10)) + 2
        self.pool = psycopg2.pool.ThreadedConnectionPool(size, size, self.dsn,
                                                         connect_timeout=5)

    def start(self) -> None:
        self.container.spawn_managed_thread(self._run_live, identifier="live-feed")
        self.container.spawn_managed_thread(self._run_catch_up, identifier="catch-up")

    def _run_live(self) -> None:
        keep_running("reporting's live feed", self._consume_live, lambda: self._stopping)

    def _consume_live(self) -> None:
        with kombu.Connection(self.amqp_uri) as connection:
            self.live = feed.LiveFeed(connection, self.dsn)
            self.live.run()

    def rebuild(self) -> dict[str, Any]:
        """A new model from the logs beside the live one, then one switch (see the RPC)."""
        started = time.monotonic()
        schema = f"rm_{int(time.time() * 1000)}"
        with self.cursor() as cur:
            readmodel.create(cur, schema)
        applied = feed.catch_up(self.amqp_uri, self.dsn, self.sources, schema=schema)
        with self.cursor() as cur:
            old = readmodel.switch(cur, schema)
        # Whatever the live feed applied to the old model meanwhile is in the logs too.
        late = feed.catch_up(self.amqp_uri, self.dsn, self.sources, schema=schema)
        with self.cursor() as cur:
            cur.execute(f"DROP SCHEMA {old} CASCADE")
        return {"schema": schema, "replaced": old,
                "events_applied": sum(applied.values()) + sum(late.values()),
                "seconds": round(time.monotonic() - started, 2)}

    def _rebuild_if_outdated(self) -> None:
        while self.rebuild_needed and not self._stopping:
            try:
                log.warning("read model rebuilt for version %d: %s",
                            readmodel.MODEL_VERSION, self.rebuild())
                self.rebuild_needed = False
            except Exception as exc:  # noqa: BLE001 - a source may be down; try again later
                log.warning("rebuild postponed: %s: %s", type(exc).__name__, exc)
                feed.sleep_until(time.monotonic() + self.interval)

    def _run_catch_up(self) -> None:
        self._rebuild_if_outdated()
        deferred = 0
        while True:
            if self._live_feed_busy() and deferred < MAX_CATCH_UP_DEFERRALS:
                # While the stream flows, reading the same events again from the logs only
                # halves the throughput; holes wait a few rounds, never longer.
                deferred += 1
                feed.sleep_until(time.monotonic() + self.interval)
                continue
            deferred = 0
            try:
                applied = feed.catch_up(self.amqp_uri, self.dsn, self.sources)
                if any(applied.values()):
                    log.info("catch-up applied %s", applied)
                with self.cursor() as cur:
                    daily.record(cur)
            except Exception as exc:  # noqa: BLE001 - a source may be down; try again later
                log.warning("catch-up incomplete: %s: %s", type(exc).__name__, exc)
            feed.sleep_until(time.monotonic() + self.interval)

    def _live_feed_busy(self) -> bool:
        live = self.live
        return live is not None and time.monotonic() - live.last_applied_at < self.interval

    def stop(self) -> None:
        self._stopping = True
        if self.live is not None:
            self.live.should_stop = True
        self.pool.closeall()

    def kill(self) -> None:
        self.stop()

    @contextlib.contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor in one transaction on a pooled connection (committed on success)."""
        conn = self.pool.getconn()
        try:
            with conn, conn.cursor() as cur:
                yield cur
        finally:
            self.pool.putconn(conn)

    @contextlib.contextmanager
    def statement(self) -> Iterator[Any]:
        """A cursor outside any transaction, for a read that is one statement: no BEGIN and
        COMMIT round trips, nothing left open if it fails."""
        conn = self.pool.getconn()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur
        finally:
            try:
                if not conn.closed:
                    conn.autocommit = False
            finally:
                self.pool.putconn(conn)

    def get_dependency(self, worker_ctx: Any) -> ReadModel:
        return self

    def report(self, cur: Any, programme_id: str, schema: str) -> dict[str, Any]:
        """A programme's report, computed once per state of the read model."""
        return self.reports.get(cur, schema, ("report", programme_id),
                                lambda: reports.programme_report(cur, programme_id, schema))

    def drill_down(self, cur: Any, programme_id: str, schema: str,
                   level: str) -> list[dict[str, Any]]:
        """`districts` or `organisations` of a programme, also once per state."""
        return self.reports.get(cur, schema, (level, programme_id),
                                lambda: getattr(reports, level)(cur, programme_id, schema))

    def iati_xml(self, cur: Any, programme_id: str, schema: str) -> bytes:
        """The programme's IATI activity, also once per state."""
        return self.reports.get(cur, schema, ("iati", programme_id),
                                lambda: iati.activity_xml(cur, programme_id, schema))

    def cached_report_json(self, who: access.Access, programme_id: str) -> str | None:
        """The report as the API sends it, if this very state's is cached; else None."""
        return self.reports.peek(who.schema, who.version, ("report.json", programme_id))

    def report_json(self, cur: Any, programme_id: str, schema: str) -> str:
        """The report as the API sends it, also once per state (dumping it was most of a
        cached answer's time)."""
        return self.reports.get(cur, schema, ("report.json", programme_id), lambda: json.dumps(
            schema_instance(schemas.ProgrammeReport).dump(
                self.report(cur, programme_id, schema)), ensure_ascii=False))


class EventsPage(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


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


class ReplayDeadLetters(Schema):
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 100_000))


def _json(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json", headers=headers)


def _html(body: str, status: int = 200) -> Response:
    # The page needs nothing from elsewhere: a strict policy costs it nothing.
    return Response(body, status=status, mimetype="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                   "form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


def _unauthorized() -> Response:
    return _json({"error": "unauthorized", "message": "a valid bearer token is required"},
                 401, **{"WWW-Authenticate": 'Bearer realm="baqylau-reports"'})


def _not_found(programme_id: str) -> Response:
    # The same answer whether the programme does not exist or belongs to another funder.
    return _json({"error": "not_found", "message": f"programme {programme_id} not found"}, 404)


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "target", "actual", "share_reached",
                     "committed_kzt", "procured_kzt", "expenditure_kzt", "spent_kzt",
                     "remaining_kzt", "numerator", "denominator", "disbursed_kzt"])
    for i in report["indicators"]:
        writer.writerow(["indicator", i["indicator"], i["target"], i["actual"],
                         i["share_reached"], "", "", "", "", "", i.get("numerator", ""),
                         i.get("denominator", ""), ""])
    for c in report["money"]["commitments"]:
        writer.writerow(csv_row([
            "commitment", f"{c['commitment_id']} ({c['funder_id']}, {c['scope']})",
            "", "", "", c["committed_kzt"], c["procured_kzt"], c["expenditure_kzt"],
            c["spent_kzt"], c["remaining_kzt"], "", "", c["disbursed_kzt"]]))
    for category, amount in report["money"]["spent_by_category"].items():
        writer.writerow(["spending", category, "", "", "", "", "", amount, amount, "", "", "",
                         ""])
    if report["learning_outcomes"]:
        writer.writerow([])
        writer.writerow(["endline_round", "grade", "subject", "split", "baseline_mean",
                         "endline_mean", "matched_pupils", "gain", "effect_size_d"])
        for o in report["learning_outcomes"]:
            writer.writerow([o["endline_round_id"], o["grade"], o["subject"], o["split"],
                             o.get("baseline", {}).get("mean"), o.get("endline", {}).get("mean"),
                             o.get("matched_pupils"), o.get("gain"), o.get("effect_size_d")])
    return out.getvalue()


def answered(handler: Any) -> Any:
    """HTTP handlers answer with JSON even when the read model's database is away: 503 with
    a reason, never a traceback or a bare 500."""
    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except InvalidInput as exc:
            return _json(exc.to_dict(), 400)
        except history.Rationed as exc:
            status = 429 if isinstance(exc, history.TooManyBuilds) else 503
            return _json({"error": "too_many_past_moments" if status == 429 else "busy",
                          "message": exc.message, "errors": {"as_of": [exc.message]}},
                         status, **{"Retry-After": str(exc.retry_after)})
        except (psycopg2.OperationalError, psycopg2.pool.PoolError) as exc:
            log.warning("report endpoint unavailable: %s", type(exc).__name__)
            return _json({"error": "unavailable", "message": "the read model is unreachable; "
                          "retry shortly"}, 503, **{"Retry-After": "5"})
        except Exception:  # a bug: log it here, never show a traceback to a funder
            reference = secrets.token_hex(4)
            log.exception("report endpoint failed (reference %s)", reference)
            return _json({"error": "internal", "message": "the report could not be produced; "
                          f"quote reference {reference} to the operators"}, 500)
    return wrapper


class ProgrammePath(Schema):
    programme_id = Ref(required=True)


PROGRAMME_PATH = ProgrammePath()  # every programme request checks its path: built once


def same_origin(request: Any) -> bool:
    """True unless the request names another site as its origin (Origin, else Referer). A
    client that sends neither (curl, a script) is not a browser on another site's page."""
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed:
        return True
    # Behind chained proxies the header lists every hop; the client asked the first.
    behind_proxy = (request.headers.get("X-Forwarded-Host") or "").split(",")[0].strip()
    host = (behind_proxy or request.host or "").lower()
    return urlsplit(claimed).netloc.lower() == host


def figure_of(indicator: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """What a figure's events add up to: their sum, or a percentage of its two parts."""
    if indicator not in reports.SHARES:
        return {"figure": sum(line["value"] for line in lines)}
    parts = {part: sum(line["value"] for line in lines if line["part"] == part)
             for part in ("numerator", "denominator")}
    return {"figure": reports.percentage(parts["numerator"], parts["denominator"]), **parts}


def rows_csv(lines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if lines:
        writer = csv.DictWriter(out, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in line.items()} for line in lines)
    return out.getvalue()


class ReportingService:
    name = "reporting"
    read_model = ReadModel()
    metrics = RpcMetrics()

    # ------------------------------------------------------------ admin (RPC)
    @command
    def issue_token(self, **payload: Any) -> dict[str, str]:
        """Issue a bearer token for a funder the read model knows. The token is shown once;
        only its hash is stored. Reply: {"token_id": "tok_...", "funder_id": "...", "token"}"""
        funder_id = load(IssueToken(), payload)["funder_id"]
        with self.read_model.cursor() as cur:
            cur.execute(f"SELECT 1 FROM {readmodel.current(cur)}.funders WHERE funder_id = %s",
                        (funder_id,))
            if cur.fetchone() is None:
                raise NotFound(f"funder {funder_id} not found",
                               {"funder_id": [f"No funder {funder_id} in the read model."]})
            return tokens.issue(cur, funder_id)

    @command
    def revoke_token(self, **payload: Any) -> dict[str, Any]:
        token_id = load(RevokeToken(), payload)["token_id"]
        with self.read_model.cursor() as cur:
            if not tokens.revoke(cur, token_id):
                raise NotFound(f"token {token_id} not found or already revoked")
        return {"token_id": token_id, "revoked": True}

    @command
    def list_tokens(self, **payload: Any) -> dict[str, Any]:
        """Every live token (with `include_revoked`, revoked ones too), optionally of one
        funder; never the token or its hash. Reply: {"tokens": [{"token_id": "tok_...",
        "funder_id": "amanat", "created_at": "...", "last_used_at": null, "revoked_at":
        null}]}"""
        query = load(ListTokens(), payload)
        with self.read_model.cursor() as cur:
            found = tokens.listed(cur, query["funder_id"], query["include_revoked"])
        return {"tokens": TokenView(many=True).dump(found)}

    @command
    def catch_up(self) -> dict[str, int]:
        """Read every source's log now (as the periodic catch-up does); idempotent."""
        return feed.catch_up(self.read_model.amqp_uri, self.read_model.dsn,
                             self.read_model.sources)

    @command
    def reconcile(self) -> dict[str, Any]:
        """Recompute every indicator of every programme from the services' logs and compare
        with the read model. Reply: {"events_read": n, "programmes": [...],
        "differences": []} — each difference names programme, indicator and both values."""
        envelopes = feed.read_logs(self.read_model.amqp_uri, self.read_model.sources)
        with self.read_model.cursor() as cur:
            schema = readmodel.current(cur)
            cur.execute(f"SELECT programme_id FROM {schema}.programmes ORDER BY 1")
            programmes = [row[0] for row in cur.fetchall()]
            found = reconcile.differences(envelopes, cur, programmes, schema)
        return {"events_read": len(envelopes), "programmes": programmes, "differences": found}

    @command
    def replay_dead_letters(self, **payload: Any) -> dict[str, int]:
        """After fixing what failed them, send dead letters back through the feed (attempts
        reset; an event already applied stays a no-op). Reply: {"replayed": 3}"""
        limit = load(ReplayDeadLetters(), payload)["limit"]
        return {"replayed": feed.replay_dead_letters(self.read_model.amqp_uri, limit)}

    @command
    def list_dead_letters(self, **payload: Any) -> dict[str, Any]:
        """What waits in the dead-letter queue, without taking it: {"waiting": 2,
        "letters": [{"id", "type", "source", "failure", "reason"}]} (the first `limit`)."""
        limit = load(ReplayDeadLetters(), payload)["limit"]
        return feed.peek_dead_letters(self.read_model.amqp_uri, limit)

    @command
    def rebuild(self) -> dict[str, Any]:
        """Build the whole read model afresh from the services' logs in a new schema beside
        the live one, switch to it in one transaction and drop the old one. The endpoints
        keep answering from the old model until the switch. Reply: {"schema": "rm_...",
        "replaced": "rm", "events_applied": 5901, "seconds": 3.2}"""
        return self.read_model.rebuild()

    # ------------------------------------------------------------ funders (HTTP)
    @http("GET", "/v1/programmes")
    @answered
    def programmes(self, request: Any) -> Response:
        """The programmes the token's funder takes part in."""
        with self.read_model.cursor() as cur:
            funder_id = tokens.funder_of(cur, request.headers.get("Authorization"))
            if funder_id is None:
                REPORT_REQUESTS.labels("programmes", "401").inc()
                return _unauthorized()
            body = {"funder_id": funder_id, "programmes": reports.visible_programmes(
                cur, funder_id, readmodel.current(cur))}
        REPORT_REQUESTS.labels("programmes", "200").inc()
        return _json(schemas.ProgrammeList().dump(body))

    @http("GET", "/v1/programmes/<string:programme_id>/report")
    @answered
    def programme_report(self, request: Any, programme_id: str) -> Response:
        """A programme's report: indicators (target, actual, share) and money, exact to the
        tenge. `?format=csv` for CSV."""
        def build(cur: Any, schema: str) -> Response:
            if request.args.get("format") == "csv":
                report = self.read_model.report(cur, programme_id, schema)
                return Response(report_csv(report), status=200, mimetype="text/csv")
            return Response(self.read_model.report_json(cur, programme_id, schema),
                            status=200, mimetype="application/json")

        def cached(who: access.Access) -> Response | None:
            if request.args.get("format") == "csv":
                return None
            body = self.read_model.cached_report_json(who, programme_id)
            return None if body is None else Response(body, status=200,
                                                      mimetype="application/json")
        return self._for_funder(request, programme_id, "report", build, cached=cached)

    @http("GET", "/v1/programmes/<string:programme_id>/report.xlsx")
    @answered
    def report_xlsx(self, request: Any, programme_id: str) -> Response:
        """The report as an XLSX workbook: indicators, money, learning outcomes, districts,
        organisations, one sheet each."""
        def build(cur: Any, schema: str) -> Response:
            body = xlsx.workbook(self.read_model.report(cur, programme_id, schema),
                                 self.read_model.drill_down(cur, programme_id, schema,
                                                            "districts"),
                                 self.read_model.drill_down(cur, programme_id, schema,
                                                            "organisations"))
            return Response(body, status=200, mimetype=XLSX, headers={
                "Content-Disposition": f'attachment; filename="{programme_id}.xlsx"'})
        return self._for_funder(request, programme_id, "xlsx", build)

    @http("GET", "/v1/programmes/<string:programme_id>/iati.xml")
    @answered
    def iati_activity(self, request: Any, programme_id: str) -> Response:
        """The programme as an IATI 2.03 activity (participating orgs, budget, transactions,
        sectors, results)."""
        return self._for_funder(request, programme_id, "iati", lambda cur, schema: Response(
            self.read_model.iati_xml(cur, programme_id, schema), status=200,
            mimetype="application/xml"))

    @http("GET", "/v1/programmes/<string:programme_id>/<string:level>")
    @answered
    def drill_down(self, request: Any, programme_id: str, level: str) -> Response:
        """`districts` or `organisations` of a programme: pupils, participants trained,
        cabinets (commissioned), pupils assessed. `?format=csv` for CSV."""
        if level not in ("districts", "organisations"):
            return _json({"error": "not_found", "message": f"no {level} view"}, 404)

        def build(cur: Any, schema: str) -> Response:
            lines = self.read_model.drill_down(cur, programme_id, schema, level)
            if request.args.get("format") == "csv":
                return Response(rows_csv(lines), status=200, mimetype="text/csv")
            view = schemas.Districts() if level == "districts" else schemas.Organisations()
            return _json(view.dump({"programme_id": programme_id, level: lines}))
        return self._for_funder(request, programme_id, level, build)

    # ------------------------------------------------------------ the dashboard (HTML)
    @http("GET", "/v1/login")
    def login(self, request: Any) -> Response:
        """A form that exchanges a funder's token for a session cookie."""
        return _html(dashboard.login_page(request.args.get("programme_id", "")))

    @http("POST", "/v1/session")
    @answered
    def session(self, request: Any) -> Response:
        """Form post {token, programme_id}: a valid token opens a dashboard session, whose own
        secret is set as an HttpOnly, SameSite=Strict cookie, and the browser goes to the
        dashboard. A bad token gets the form again, 401. A post from another site's page
        (its Origin, or failing that its Referer, is not this host) is refused, 403: no page
        elsewhere can log a browser in."""
        if not same_origin(request):
            return _json({"error": "forbidden", "message": "a login must come from this "
                          "site's own form", "errors": {"Origin": [
                              "Must be this site's own origin."]}}, 403)
        programme_id = load(PROGRAMME_PATH, {
            "programme_id": request.form.get("programme_id", "")})["programme_id"]
        with self.read_model.cursor() as cur:
            found = tokens.token_of(cur, f"Bearer {request.form.get('token', '').strip()}")
            secret = None if found is None else tokens.open_session(cur, found[0])
        if secret is None:
            return _html(dashboard.login_page(programme_id, "The token is not valid."), 401)
        response = Response(status=303, headers={
            "Location": f"/v1/dashboard/{quote(programme_id, safe='')}"})
        response.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="Strict",
                            path="/v1/", max_age=tokens.SESSION_HOURS * 3600,
                            secure=request.headers.get("X-Forwarded-Proto") == "https")
        return response

    @http("GET", "/v1/dashboard/<string:programme_id>")
    @answered
    def dashboard(self, request: Any, programme_id: str) -> Response:
        """The programme's dashboard, `?lang=kk|ru|en` (default kk): indicators against
        targets, money, learning outcomes, districts; charts drawn on the server."""
        lang = request.args.get("lang", "kk")
        if lang not in dashboard.LANGUAGES:
            lang = "kk"

        def build(cur: Any, schema: str) -> Response:
            return _html(dashboard.page(self.read_model.report(cur, programme_id, schema),
                                        self.read_model.drill_down(
                                            cur, programme_id, schema, "districts"), lang,
                                        daily.series(cur, programme_id)))
        response = self._for_funder(request, programme_id, "dashboard", build,
                                    allow_cookie=True)
        if response.status_code == 401:
            return _html(dashboard.login_page(programme_id), 401)
        return response

    @http("GET", "/v1/programmes/<string:programme_id>/figures/<string:indicator>/events")
    @answered
    def figure_events(self, request: Any, programme_id: str, indicator: str) -> Response:
        """The events behind one figure of the report (indicator, `committed_kzt` or
        `procured_kzt`), read from the services' logs, each with what it adds; they sum to
        the figure. `?after=0&limit=100` pages; `?as_of=` as on the report."""
        def build(cur: Any, schema: str) -> Response:
            page = load(EventsPage(), {k: request.args[k] for k in ("after", "limit")
                                       if k in request.args})
            if indicator not in trace.INDICATORS:
                return _json({"error": "not_found", "message": f"no figure {indicator}"}, 404)
            moment = history.parse(request.args)
            model = self.read_model
            folded = model.follower.current() if moment is None else model.past_traces.get(
                cur, schema, "trace", lambda: trace.folded(
                    e for e in feed.read_logs(model.amqp_uri, model.sources)
                    if e.time <= moment))
            lines = trace.events_behind(folded, programme_id, indicator)
            end = page["after"] + page["limit"]
            return _json(schemas.FigureEvents().dump({
                "programme_id": programme_id, "indicator": indicator,
                **figure_of(indicator, lines), "count": len(lines),
                "events": lines[page["after"]:end],
                "next_after": end if end < len(lines) else None}))
        return self._for_funder(request, programme_id, "figure_events", build)

    def _for_funder(self, request: Any, programme_id: str, endpoint: str,
                    build: Callable[[Any, str], Response],
                    allow_cookie: bool = False,
                    cached: Callable[[access.Access], Response | None] | None = None
                    ) -> Response:
        """Every programme endpoint: 401 without a valid token, the same 404 for another
        funder's programme as for none, else `build(cursor, live schema)`; counted. The
        session cookie counts only where asked (the HTML dashboard), never for the API.
        With `cached`, one statement settles the token and the programme first, and what
        `cached` finds for that state of the model is served with no transaction."""
        load(PROGRAMME_PATH, {"programme_id": programme_id})  # 400 names it: NUL, junk
        authorization = request.headers.get("Authorization")
        session = request.cookies.get(SESSION_COOKIE) if allow_cookie else None
        response = None
        if cached is not None and "as_of" not in request.args:  # parsed after the token
            response = self._answered_at_once(authorization, programme_id, cached)
        if response is not None:
            REPORT_REQUESTS.labels(endpoint, str(response.status_code)).inc()
            return response
        with self.read_model.cursor() as cur:
            funder_id = (tokens.funder_of_session(cur, session)
                         if authorization is None and session else
                         tokens.funder_of(cur, authorization))
            if funder_id is None:
                response = _unauthorized()
            else:
                schema = self._schema_asked(cur, request, funder_id)
                if programme_id in reports.visible_programmes(cur, funder_id, schema):
                    response = build(cur, schema)
                else:
                    response = _not_found(programme_id)
        REPORT_REQUESTS.labels(endpoint, str(response.status_code)).inc()
        return response

    def _answered_at_once(self, authorization: str | None, programme_id: str,
                          cached: Callable[[access.Access], Response | None]
                          ) -> Response | None:
        """401, 404 or the cached answer after one statement; None to go the full way."""
        try:
            with self.read_model.statement() as cur:
                who = access.ask(cur, authorization, programme_id)
        except psycopg2.ProgrammingError:
            # A rebuild dropped the schema between the pointer and the query (or this
            # database predates the function): the full way reads the pointer afresh.
            return None
        if who is None:
            return _unauthorized()
        if not who.visible:
            return _not_found(programme_id)
        return cached(who)

    def _schema_asked(self, cur: Any, request: Any, funder_id: str) -> str:
        """The live read model, or with `?as_of=` a past moment's (built on first use, on
        the funder's allowance)."""
        moment = history.parse(request.args)
        if moment is None:
            return readmodel.current(cur)
        model = self.read_model
        return history.schema_at(cur, moment, lambda name, until: feed.catch_up(
            model.amqp_uri, model.dsn, model.sources, schema=name, until=until),
            funder_id, builds_per_hour=model.as_of_builds_per_hour)

    @http("GET", "/v1/openapi.json")
    def openapi(self, request: Any) -> Response:
        """The OpenAPI 3 document of the report endpoints (no token needed)."""
        return _json(schemas.openapi())

    # ------------------------------------------------------------ operations
    @http("GET", "/healthz")
    def healthz(self, request: Any) -> Response:
        return _json({"status": "ok", "service": self.name})

    @http("GET", "/readyz")
    def readyz(self, request: Any) -> Response:
        checks = {}
        try:
            with self.read_model.cursor() as cur:
                cur.execute("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - report any failure as unready
            checks["database"] = f"unreachable: {type(exc).__name__}"
        try:
            with kombu.Connection(self.read_model.amqp_uri, connect_timeout=2) as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["broker"] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return _json({"status": "ready" if ready else "unready", **checks}, 200 if ready else 503)

    @http("GET", "/metrics")
    def prometheus(self, request: Any) -> Response:
        return Response(generate_latest(), status=200, content_type=CONTENT_TYPE_LATEST)
