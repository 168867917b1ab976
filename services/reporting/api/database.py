"""The read model as the service's endpoints see it: its database (tables made on start,
one at a time across replicas), a pool of connections, the ingestion that keeps it
current, and each report computed once per state of the model.

Config: READ_MODEL: {host, port, dbname, user, password, catch_up_interval: 30,
sources: [registry, training, equipment, assessment]}; AMQP_URI.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Callable, Iterator

import psycopg2
import psycopg2.pool
from nameko.extensions import DependencyProvider

from services.reporting import migrations
from services.reporting.api import access, cache, schemas
from services.reporting.api.render import iati
from services.reporting.figures import approvals, daily, moments, reports
from services.reporting.ingest import feed, tables
from services.reporting.ingest.runner import Ingestion
from shared import pgconnect
from shared.config import amqp_uri
from shared.contracts.registry import schema_instance
from shared.contracts.versions import ContractVersions

log = logging.getLogger(__name__)


class ReadModel(DependencyProvider):
    def setup(self) -> None:
        config = self.container.config
        self.dsn = " ".join(f"{key}={config['READ_MODEL'][key]}" for key in (
            "host", "port", "dbname", "user", "password"))
        self.sources = tuple(config["READ_MODEL"].get("sources") or feed.SOURCES)
        self.amqp_uri = amqp_uri(config)
        with pgconnect.connect(self.dsn) as conn, conn.cursor() as cur:
            # Replicas starting together would race on the same DDL (CREATE OR REPLACE
            # FUNCTION fails with "tuple concurrently updated"); one at a time.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('baqylau_reporting_setup'))")
            tables.ensure_current(cur)
            migrations.prepare(cur)
            # A model built by an older version is rebuilt from the logs once the sources
            # answer (the catch-up thread does it).
            rebuild_needed = tables.outdated(cur)
            if rebuild_needed:
                log.warning("the read model predates version %d: it is rebuilt from the logs"
                            " (past moments it had built dropped: %d)", tables.MODEL_VERSION,
                            moments.retire_built_moments(cur))
        conn.close()
        self.ingestion = Ingestion(
            self.dsn, self.amqp_uri, self.sources,
            float(config["READ_MODEL"].get("catch_up_interval", 30)), rebuild_needed,
            after_round=daily.record, versions=ContractVersions.from_config(config))
        self.reports = cache.ReportCache()
        # psycopg2's pool closes every connection returned beyond `minconn`: with 1, each
        # concurrent request opened a new connection (a tenth of the report's time).
        # One per worker, and a spare.
        size = int(config.get("max_workers", 10)) + 1
        self.pool = psycopg2.pool.ThreadedConnectionPool(size, size, self.dsn,
                                                         connect_timeout=5)

    def start(self) -> None:
        self.ingestion.start(lambda run, name: self.container.spawn_managed_thread(
            run, identifier=name))

    def stop(self) -> None:
        self.ingestion.stop()
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
        def computed() -> dict[str, Any]:
            report = reports.programme_report(cur, programme_id, schema)
            live = schema == tables.current(cur)  # a past moment's report has no "since"
            return {**report, "approval": approvals.beside(cur, programme_id, schema, report)
                    if live else None}
        return self.reports.get(cur, schema, programme_id, ("report", programme_id),
                                computed)

    def drill_down(self, cur: Any, programme_id: str, schema: str,
                   level: str) -> list[dict[str, Any]]:
        """`districts` or `organisations` of a programme, also once per state."""
        return self.reports.get(cur, schema, programme_id, (level, programme_id),
                                lambda: getattr(reports, level)(cur, programme_id, schema))

    def iati_xml(self, cur: Any, programme_id: str, schema: str) -> bytes:
        """The programme's IATI activity, also once per state."""
        return self.reports.get(cur, schema, programme_id, ("iati", programme_id),
                                lambda: iati.activity_xml(cur, programme_id, schema))

    def report_json(self, cur: Any, programme_id: str, schema: str) -> str:
        """The report as the API sends it."""
        return json.dumps(schema_instance(schemas.ProgrammeReport).dump(
            self.report(cur, programme_id, schema)), ensure_ascii=False)

    def rendered(self, cur: Any, schema: str, programme_id: str, key: tuple[str, ...],
                 render: Callable[[], str | bytes]) -> str | bytes:
        """An answer as an endpoint sends it (`key`: the endpoint and every argument that
        changes it), rendered once per state: dumping the JSON was most of a cached
        report's time, and a workbook takes longer than its figures."""
        return self.reports.get(cur, schema, programme_id, ("rendered", *key), render)

    def cached_rendered(self, who: access.Access, programme_id: str,
                        key: tuple[str, ...]) -> str | bytes | None:
        """The same, if this very state's is cached; else None."""
        return self.reports.peek(who.schema, who.version, programme_id, ("rendered", *key))
