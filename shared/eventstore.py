"""The nameko dependency that owns a service's eventsourcing Application and its relay."""

from __future__ import annotations

import logging
from typing import Any, Callable

import eventlet
from kombu import Connection
from nameko.extensions import DependencyProvider

from shared import metrics, pgconnect, wakeup
from shared.application import ServiceApplication
from shared.config import amqp_uri, event_store_env, postgres_dsn
from shared.contracts.mapping import ContractMap
from shared.contracts.versions import ContractVersions
from shared.positions import MemoryPositionStore, PostgresPositionStore
from shared.publisher import ConfirmingPublisher, declare_events_exchange
from shared.relay import Relay

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0


class EventStore(DependencyProvider):
    """Injects the Application into workers; runs the relay as a managed thread.

    Config (all optional but EVENT_STORE):
      EVENT_STORE: {persistence_module, dbname, host, port, user, password, ...}
      RELAY: {enabled: true, batch_size: 500, poll_interval: 1.0}
      CONTRACTS: {publish: "Type=2"}: the contract versions published (versions.py)
    """

    def __init__(self, app_class: type[ServiceApplication], contracts: ContractMap,
                 fold: Callable[[ServiceApplication], Any] | None = None) -> None:
        self.app_class = app_class
        self.contracts = contracts
        self.fold_class = fold
        self.app: ServiceApplication | None = None
        self.fold: Any = None  # the service's LogFold for list and summary queries
        self.relay: Relay | None = None
        self._relay_thread: Any = None
        self.listener: wakeup.CommitListener | None = None

    def setup(self) -> None:
        config = self.container.config
        service = self.contracts.service
        self.dsn = postgres_dsn(config)
        self.amqp_uri = amqp_uri(config)
        # The relay and the notifications RPC publish the versions the deployment says.
        self.contracts = self.contracts.publishing(ContractVersions.from_config(config))
        self.app = self.app_class(env=event_store_env(config))
        if self.fold_class is not None:
            self.fold = self.fold_class(self.app)
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
            if self.dsn:  # commits by any other process (replica, bulk loader) wake it too
                wakeup.install_trigger(self.dsn, service)
                self.listener = wakeup.CommitListener(self.dsn, service,
                                                      lambda: self.relay and self.relay.wake())

    def start(self) -> None:
        self.container.spawn_managed_thread(
            lambda: declare_events_exchange(self.amqp_uri, self.contracts.service),
            identifier="declare-events-exchange")
        if self.relay is not None:
            self._relay_thread = self.container.spawn_managed_thread(
                self.relay.run_forever, identifier="relay")
        if self.listener is not None:
            self.container.spawn_managed_thread(self.listener.run_forever,
                                                identifier="commit-listener")

    def stop(self) -> None:
        """Let the relay finish its batch (bounded), then close the event store."""
        self._stop_relay(grace=STOP_GRACE_SECONDS)
        self._close_app()

    def kill(self) -> None:
        # Killing the relay mid-batch is safe: it resumes from the last confirmed position.
        self._stop_relay(grace=0)
        self._close_app()

    def _stop_relay(self, grace: float) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.relay is None or self._relay_thread is None:
            return
        self.relay.stop()
        if grace > 0:
            with eventlet.Timeout(grace, False):
                self._relay_thread.wait()
        self._relay_thread.kill()
        self._relay_thread = None

    def _close_app(self) -> None:
        if self.app is not None:
            # Closing here, not in __del__, keeps the pool's threads from dying at exit.
            self.app.close()
            self.app = None

    def get_dependency(self, worker_ctx: Any) -> EventStore:
        # Workers get this bound provider: `.app` for commands, the checks for readiness.
        return self

    # -------------------------------------------------------------- readiness
    def check_database(self) -> str:
        if self.dsn is None:
            self.app.last_notification_id()  # type: ignore[union-attr]
            return "ok"
        conn = pgconnect.connect(self.dsn, connect_timeout=2)
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
