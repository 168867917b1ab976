"""What every service exposes besides its own commands: `/healthz`, `/readyz` and
`/metrics` (Observable); and every event-sourced one, the `notifications` RPC."""

from __future__ import annotations

import json
from typing import Any, Callable

from marshmallow import Schema, fields, validate
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from shared.access.grants import AccessBook
from shared.commands import command
from shared.eventstore import EventStore
from shared.metrics import RpcMetrics
from shared.validation import load

MAX_PAGE = 1000


class NotificationsQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE))


MAX_PAGE_BYTES = 1_000_000


def within_page_bytes(notifications: list[Any], budget: int = MAX_PAGE_BYTES) -> list[Any]:
    """The first notifications whose stored state fits in `budget` bytes (at least one).
    A page of a thousand 200-score sheets was 20 MB in one RPC reply: both ends' memory
    went past 150 MB during a rebuild. `next_after` then stops where the page stopped."""
    total = 0
    for n, notification in enumerate(notifications):
        total += len(notification.state)
        if total > budget and n > 0:
            return notifications[:n]
    return notifications


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json", headers=headers)


class Observable:
    """`/healthz`, `/readyz` and `/metrics` for every service; a subclass says what it
    needs to be ready (`readiness_checks`: part -> a check that returns "ok" or raises)."""

    name: str

    def readiness_checks(self) -> dict[str, Callable[[], str]]:
        raise NotImplementedError

    @http("GET", "/healthz")
    def healthz(self, request: Any) -> Response:
        """Liveness: the process serves requests. Example: {"status": "ok"}"""
        return json_response({"status": "ok", "service": self.name})

    @http("GET", "/readyz")
    def readyz(self, request: Any) -> Response:
        """Readiness: database and broker reachable. 503 with the failing part otherwise.
        Example: {"status": "ready", "database": "ok", "broker": "ok"}"""
        checks = {}
        for part, check in self.readiness_checks().items():
            try:
                checks[part] = check()
            except Exception as exc:  # noqa: BLE001 - report any failure as unready
                checks[part] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        return json_response({"status": "ready" if ready else "unready", **checks},
                             200 if ready else 503)

    @http("GET", "/metrics")
    def prometheus(self, request: Any) -> Response:
        """Prometheus text exposition of this process's metrics."""
        return Response(generate_latest(), status=200, content_type=CONTENT_TYPE_LATEST)


class EventSourcedService(Observable):
    """Base class; subclasses set `name`, `store = EventStore(...)` and their commands."""

    name: str
    store: EventStore
    metrics = RpcMetrics()
    access = AccessBook()  # the grants every command is checked against

    @command
    def notifications(self, **payload: Any) -> dict[str, Any]:
        """Public events with notification id > `after`, in log order, at most `limit`.

        Lets a consumer catch up or fill a gap without the broker. `next_after` is the last
        notification id examined (internal-only events are skipped but still advance it).
        Example: {"items": [<CloudEvents envelope>, ...], "next_after": 120,
                  "last_notification_id": 4031}
        """
        query = load(NotificationsQuery(), payload)
        app = self.store.app
        notifications = within_page_bytes(app.select_after(query["after"], query["limit"]))
        items = [e.to_message() for n in notifications
                 if (e := self.store.contracts.envelope(app, n)) is not None]
        return {
            "items": items,
            "next_after": notifications[-1].id if notifications else query["after"],
            "last_notification_id": app.last_notification_id(),
        }

    def readiness_checks(self) -> dict[str, Callable[[], str]]:
        return {"database": self.store.check_database, "broker": self.store.check_broker}
