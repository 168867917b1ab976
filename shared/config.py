"""Configuration comes from nameko's config (config.yaml with ${VAR:default} substitution).

The event store's settings live under EVENT_STORE so that the same keys serve PostgreSQL in
deployment and SQLite or memory in fast tests.
"""

from __future__ import annotations

from typing import Any, Mapping

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672/"


def event_store_env(config: Mapping[str, Any]) -> dict[str, str]:
    """Environment for an eventsourcing Application from the EVENT_STORE config section."""
    store = dict(config.get("EVENT_STORE") or {})
    module = store.get("persistence_module", "eventsourcing.postgres")
    env = {"PERSISTENCE_MODULE": module}
    if module == "eventsourcing.postgres":
        # The same persistence, with connections that never outlive an interrupted session.
        env["PERSISTENCE_MODULE"] = "shared.postgres:Factory"
        env.update(
            POSTGRES_DBNAME=str(store["dbname"]),
            POSTGRES_HOST=str(store.get("host", "127.0.0.1")),
            POSTGRES_PORT=str(store.get("port", 5432)),
            POSTGRES_USER=str(store["user"]),
            POSTGRES_PASSWORD=str(store.get("password", "")),
            POSTGRES_POOL_SIZE=str(store.get("pool_size", 5)),
            POSTGRES_MAX_OVERFLOW=str(store.get("max_overflow", 10)),
            POSTGRES_CONNECT_TIMEOUT=str(store.get("connect_timeout", 5)),
            # Fail a command fast rather than queueing it behind a stuck lock.
            POSTGRES_LOCK_TIMEOUT=str(store.get("lock_timeout", 10)),
            # No round trip before each use: shared.postgres tells a dead pooled connection
            # by its socket, and replaces one that fails.
            POSTGRES_PRE_PING="n",
        )
        # Each event stored with its public record (shared/outbox.py); by default, the
        # saves in flight written in one transaction (shared/group_commit.py).
        env["APPLICATION_RECORDER_TOPIC"] = ("shared.group_commit:GroupCommitRecorder"
                                             if store.get("group_commit", True)
                                             else "shared.outbox:OutboxRecorder")
    elif module == "eventsourcing.sqlite":
        env["SQLITE_DBNAME"] = str(store.get("dbname", ":memory:"))
    return env


def postgres_dsn(config: Mapping[str, Any]) -> str | None:
    """A libpq DSN for the service's own tables (relay position, read models), if on PostgreSQL."""
    store = dict(config.get("EVENT_STORE") or {})
    if store.get("persistence_module", "eventsourcing.postgres") != "eventsourcing.postgres":
        return None
    return (
        f"dbname={store['dbname']} host={store.get('host', '127.0.0.1')} "
        f"port={store.get('port', 5432)} user={store['user']} "
        f"password={store.get('password', '')} connect_timeout={store.get('connect_timeout', 5)}"
    )


def amqp_uri(config: Mapping[str, Any]) -> str:
    return str(config.get("AMQP_URI") or DEFAULT_AMQP_URI)
