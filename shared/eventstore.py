"""The nameko dependency that owns a service's eventsourcing Application and its relay."""

from __future__ import annotations

import logging
from typing import Any

import psycopg2
from kombu import Connection
from nameko.extensions import DependencyProvider

from shared import metrics
from shared.application import ServiceApplication
from shared.config import amqp_uri, event_store_env, postgres_dsn
from shared.contracts.mapping import ContractMap
from shared.positions import MemoryPositionStore, PostgresPositionStore
from shared.publisher import ConfirmingPublisher
from shared.relay import Relay

log = logging.getLogger(__name__)


class EventStore(DependencyProvider):
    """Injects the Application into workers; runs the relay as a managed thread.

    Config (all optional but EVENT_STORE):
      EVENT_STORE: {persistence_module, dbname, host, port, user, password, ...}
      RELAY: {enabled: true, batch_size: 500, poll_interval: 1.0}
    """

    def __init__(self, app_class: type[ServiceApplication], contracts: ContractMap) -> None:
        self.app_class = app_class
        self.contracts = contracts
        self.app: ServiceApplication | None = None
        self.relay: Relay | None = None
        self._relay_thread: Any = None

    def setup(self) -> None:
        config = self.container.config
        service = self.contracts.service
        self.dsn = postgres_dsn(config)
        self.amqp_uri = amqp_uri(config)
        self.app = self.app_class(env=event_store_env(config))
        self.app.on_save(lambda n: metrics.EVENTS_STORED.labels(service).inc(n))
        relay_config = dict(config.get("RELAY") or {})
        if relay_config.get("enabled", True):
            positions = (PostgresPositionStore(self.dsn, service) if self.dsn
                         else MemoryPositionStore())
            self.relay = Relay(
                self.app, self.contracts, positions,
                ConfirmingPublisher(self.amqp_uri, service),
                batch_size=int(relay_config.get("batch_size", 500)),
                poll_interval=float(relay_config.get("poll_interval", 1.0)),
            )
            self.app.on_save(self.relay.wake)

    def start(self) -> None:
        if self.relay is not None:
            self._relay_thread = self.container.spawn_managed_thread(
                self.relay.run_forever, identifier="relay")

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
            if self._relay_thread is not None:
                self._relay_thread.wait()
        if self.app is not None:
            # Closing here, not in __del__, keeps the pool's threads from dying at exit.
            self.app.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> EventStore:
        # Workers get this bound provider: `.app` for commands, the checks for readiness.
        return self

    # -------------------------------------------------------------- readiness
    def check_database(self) -> str:
        if self.dsn is None:
            self.app.last_notification_id()  # type: ignore[union-attr]
            return "ok"
        conn = psycopg2.connect(self.dsn, connect_timeout=2)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()
        return "ok"

    def check_broker(self) -> str:
        with Connection(self.amqp_uri, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
