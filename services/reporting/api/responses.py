"""What every HTTP answer of the reporting service shares: JSON and HTML responses, the
401 and the 404 (the same for another funder's programme as for none), the path check, and
`answered`, which turns every failure into a clear JSON answer, never a traceback."""

from __future__ import annotations

import functools
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

import psycopg2
import psycopg2.pool
from marshmallow import Schema
from prometheus_client import Counter
from werkzeug.wrappers import Response

from shared.errors import InvalidInput
from shared.fields import Ref
from shared.service import json_response

log = logging.getLogger(__name__)
SESSION_COOKIE = "baqylau_session"
REPORT_REQUESTS = Counter("baqylau_report_requests_total", "Report endpoint requests",
                          ["endpoint", "status"])


def html_response(body: str, status: int = 200) -> Response:
    # The page needs nothing from elsewhere: a strict policy costs it nothing.
    return Response(body, status=status, mimetype="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                   "form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


def unauthorized() -> Response:
    return json_response({"error": "unauthorized",
                          "message": "a valid bearer token is required"},
                         401, **{"WWW-Authenticate": 'Bearer realm="baqylau-reports"'})


def not_found(programme_id: str) -> Response:
    # The same answer whether the programme does not exist or belongs to another funder.
    return json_response({"error": "not_found",
                          "message": f"programme {programme_id} not found"}, 404)


def answered(handler: Any) -> Any:
    """HTTP handlers answer with JSON even when the read model's database is away: 503 with
    a reason, never a traceback or a bare 500."""
    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except InvalidInput as exc:
            return json_response(exc.to_dict(), 400)
        except (psycopg2.OperationalError, psycopg2.pool.PoolError) as exc:
            log.warning("report endpoint unavailable: %s", type(exc).__name__)
            return json_response({"error": "unavailable", "message": "the read model is "
                                  "unreachable; retry shortly"}, 503, **{"Retry-After": "5"})
        except Exception:  # a bug: log it here, never show a traceback to a funder
            reference = secrets.token_hex(4)
            log.exception("report endpoint failed (reference %s)", reference)
            return json_response({"error": "internal", "message": "the report could not be "
                                  f"produced; quote reference {reference} to the operators"},
                                 500)
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

