"""The reporting service: the funders' read model, fed by every service's events, served on
token-protected HTTP report endpoints and a dashboard, with an operators' RPC.

The layers, each a folder, import one way: `api/` (entrypoints, access, renderers) uses
`figures/` (what each report says), which reads the tables `ingest/` fills from the events.
This module only puts the entrypoints together (nameko runs `service:ReportingService`).
"""

from __future__ import annotations

from typing import Callable

import kombu

from services.reporting.api.admin import AdminRpc
from services.reporting.api.approve import ApprovalHttp
from services.reporting.api.browser import BrowserHttp
from services.reporting.api.database import ReadModel
from services.reporting.api.funders import FunderHttp
from services.reporting.ingest.feed import QUEUE
from shared.access.grants import AccessBook
from shared.dead_letters import DeadLetterRpc, DeadLetters
from shared.metrics import RpcMetrics
from shared.service import Observable


class ReportingService(Observable, AdminRpc, DeadLetterRpc, FunderHttp, BrowserHttp,
                       ApprovalHttp):
    name = "reporting"
    read_model = ReadModel()
    # Letters set aside before they named their queue came from the live feed's.
    dead_letters = DeadLetters(default_origin=QUEUE)
    metrics = RpcMetrics()
    access = AccessBook()  # the grants every command is checked against

    def readiness_checks(self) -> dict[str, Callable[[], str]]:
        return {"database": self._database_answers, "broker": self._broker_answers}

    def _database_answers(self) -> str:
        with self.read_model.cursor() as cur:
            cur.execute("SELECT 1")
        return "ok"

    def _broker_answers(self) -> str:
        with kombu.Connection(self.read_model.amqp_uri, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return "ok"
