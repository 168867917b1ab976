"""Following another service's notification log over RPC: catch-up without the broker.

Every consumer of another service's events reads that service's log from a watermark kept in
its own database, so whatever its queues missed (a new deployment, a purge, a message lost
with a broker) is filled on start and within one interval. `pages` is the one reader of a
log; `SourceLog` the follower equipment, assessment and training declare, which applies
each event through the very handler its live subscription runs (`catch_up_timer` runs it on
start and every `CATCH_UP: {interval: 30}` seconds; `follow_on_miss` once, within a few
seconds, for a command naming what was not learnt yet). Reporting follows with the same `pages`, its
watermark committed with its read model's writes (services/reporting/ingest/logs.py).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Iterator

from nameko.amqp.publish import get_producer
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from shared.access.caller import acting_alone
from shared.broker import BROKER_AWAY, Subscription
from shared.calling import ClusterRpcProxy
from shared.config import amqp_uri, postgres_dsn
from shared.contracts import TooNew
from shared.contracts.versions import ContractVersions
from shared.errors import Unavailable, is_outage
from shared.poison import Poison, Unreadable
from shared.positions import MemoryPositionStore, PositionStore, PostgresPositionStore
from shared.reading import TooNewWait

log = logging.getLogger(__name__)

PAGE = 1000
INTERVAL = 30.0  # seconds between rounds unless CATCH_UP.interval says otherwise
# nameko's worker RpcProxy waits for a reply forever: a source that is down would hold the
# round, and a graceful stop waiting for it, until the source came back.
RPC_TIMEOUT = 30.0
# A command that names something not learnt yet waits for one catch-up at most this long
# (CATCH_UP.miss_timeout): its caller waits on it, with its own deadline.
MISS_TIMEOUT = 5.0


def pages(service: Any, after: int = 0, limit: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every reply of `service.notifications` from `after` to the end of its log; the last
    one has no items. Each page starts at the previous reply's `next_after`, never at the
    last id + 1: notification ids have gaps. The next page is asked for before this one is
    handed over, so the source reads it while the caller applies this one (a rebuild's two
    halves then run side by side instead of in turn)."""
    reply = service.notifications(after=after, limit=limit)
    while reply["next_after"] != after:
        after = reply["next_after"]
        upcoming = service.notifications.call_async(after=after, limit=limit)
        yield reply
        reply = upcoming.result()
    yield reply


class CatchUpTimer(Timer):
    """nameko's timer, fired on start and then every `CATCH_UP.interval` seconds; the next
    round starts only once the previous one has finished."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(interval=INTERVAL, eager=True, **kwargs)

    def setup(self) -> None:
        section = dict(self.container.config.get("CATCH_UP") or {})
        self.interval = float(section.get("interval", INTERVAL))


catch_up_timer = CatchUpTimer.decorator


class SourceLog(DependencyProvider):
    """`registry_log = SourceLog("registry")`: the follower of the source's log, over RPC
    with a deadline (RPC_TIMEOUT). The watermark (the log's `next_after` last applied) is a
    row of the service's position table (shared/positions.py), keyed "<service> follows
    <source>"; in memory on SQLite. Injected as a LogReader."""

    positions: PositionStore

    def __init__(self, source: str) -> None:
        self.target_service = source

    def setup(self) -> None:
        config = self.container.config
        dsn = postgres_dsn(config)
        name = f"{self.container.service_name} follows {self.target_service}"
        self.positions = PostgresPositionStore(dsn, name) if dsn else MemoryPositionStore()
        self.poison = Poison.from_config(config, self.container.service_name)
        self.too_new = TooNewWait.from_versions(ContractVersions.from_config(config))
        section = dict(config.get("CATCH_UP") or {})
        self.page = int(section.get("page", PAGE))
        self.rpc_config = {"AMQP_URI": amqp_uri(config)}
        self.rpc_timeout = float(section.get("rpc_timeout", RPC_TIMEOUT))
        self.miss_timeout = float(section.get("miss_timeout", MISS_TIMEOUT))
        # One round at a time per process: the timer's, a command's and the misses' share
        # the watermark's one connection, which two green threads must not use at once.
        self.round_lock = threading.Lock()
        self.last_round_began = float("-inf")  # of the last round that read to the end

    def stop(self) -> None:
        self.positions.release()

    def kill(self) -> None:
        self.positions.release()

    def handlers(self) -> dict[str, Subscription]:
        """The service's subscriptions to this source's events, by event type."""
        return {entrypoint.event_type: entrypoint for entrypoint in self.container.entrypoints
                if isinstance(entrypoint, Subscription)
                and entrypoint.source_service == self.target_service}

    def get_dependency(self, worker_ctx: Any) -> LogReader:
        return LogReader(self, worker_ctx.service)


class LogReader:
    """One worker's view of a SourceLog: `follow()` applies the log past the watermark."""

    def __init__(self, provider: SourceLog, service: Any) -> None:
        self.provider, self.service = provider, service

    def follow(self, timeout: float | None = None,
               fresh_since: float | None = None) -> dict[str, Any]:
        """Apply every event past the watermark that the service subscribes to, through the
        subscription's own handler, moving the watermark a page at a time. The handlers are
        idempotent, so a page applied again after a crash, or also delivered live, counts
        once. A database outage raises (the watermark stays where the last page left it).
        With `timeout`, no page is asked for past that many seconds (the round may end
        before the log's end; the next one goes on from the watermark). Nothing is read if a
        round begun after the call (or after `fresh_since`, a monotonic time) read to the
        end meanwhile: callers in a crowd share one round, whoever they are.
        Reply: {"read": 120, "applied": 45, "after": 1532, "last_notification_id": 1532}"""
        provider = self.provider
        positions, handlers = provider.positions, provider.handlers()
        asked_at = time.monotonic() if fresh_since is None else fresh_since
        deadline = None if timeout is None else time.monotonic() + timeout
        lock_wait = provider.rpc_timeout if timeout is None else timeout
        if not provider.round_lock.acquire(timeout=lock_wait):
            raise RpcTimeout(f"another round of catch-up from {provider.target_service} "
                             f"took more than {lock_wait:g} s")
        try:
            if provider.last_round_began > asked_at:
                # A round that began after the caller asked has ended meanwhile: it read
                # what the caller needed. Misses in a crowd share one round, so a caller
                # cannot make the source read its log once per unknown name it sends.
                return {"read": 0, "applied": 0, "shared": True}
            began = time.monotonic()
            left = None if deadline is None else max(0.1, deadline - began)
            wait = provider.rpc_timeout if left is None else min(provider.rpc_timeout, left)
            with ClusterRpcProxy(provider.rpc_config, timeout=wait,
                                 declare_exchange=True) as rpc:
                found = self._follow(getattr(rpc, provider.target_service), positions,
                                     handlers, deadline)
            if found["after"] >= found["last_notification_id"]:  # read to the log's end
                provider.last_round_began = began
            return found
        finally:
            provider.round_lock.release()

    def follow_on_miss(self) -> dict[str, Any]:
        """One round within CATCH_UP.miss_timeout, for a command that named something this
        service has not learnt of yet; the source not answering in time is Unavailable
        (nothing stored: the caller sends the command again)."""
        source, asked_at = self.provider.target_service, time.monotonic()
        try:
            with acting_alone():  # what the service learns is not the caller's doing
                return self.follow(timeout=self.provider.miss_timeout, fresh_since=asked_at)
        except (RpcTimeout, UnknownService, *BROKER_AWAY) as exc:
            raise Unavailable(
                f"{source} did not answer within {self.provider.miss_timeout:g} s, so "
                f"{self.service.name} could not learn of what the command names; nothing was "
                f"stored; send the command again shortly ({type(exc).__name__})") from None

    def _follow(self, source: Any, positions: PositionStore,
                handlers: dict[str, Subscription],
                deadline: float | None = None) -> dict[str, Any]:
        after = positions.load()
        read = applied = 0
        last = after
        for reply in pages(source, after, self.provider.page):
            for message in reply["items"]:
                read += 1
                handler = handlers.get(str(message.get("type")))
                if handler is not None:
                    self._apply(handler, message)
                    applied += 1
            if reply["next_after"] != after:
                after = reply["next_after"]
                positions.save(after)
            last = reply["last_notification_id"]
            if deadline is not None and time.monotonic() > deadline:
                break
        return {"read": read, "applied": applied, "after": after, "last_notification_id": last}

    def tick(self) -> None:
        """One periodic round; what stops it (the source not answering yet, an outage) is
        said in one line and tried again next round."""
        try:
            found = self.follow()
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            log.warning("catch-up from %s's log incomplete: %s: %s",
                        self.provider.target_service, type(exc).__name__, exc)
            return
        if found["applied"]:
            log.info("catch-up from %s's log: %s", self.provider.target_service, found)

    def _apply(self, handler: Subscription, message: dict[str, Any]) -> None:
        """The live path's rules on the log: unreadable is set aside at once, a failing
        handler after `max_attempts` tries in a row, an outage or an event newer than this
        consumer reads is raised to the round."""
        poison = self.provider.poison
        method = getattr(self.service, handler.method_name)
        failure: Exception | None = None
        for _ in range(poison.max_attempts):
            try:
                method(message)
                return
            except Unreadable as exc:
                self._set_aside(handler, message, f"unreadable: {exc}", "unreadable")
                return
            except TooNew as exc:
                # Early, not poison: the round stops before the watermark passes it, and
                # reads it again once this consumer is upgraded; past the deadline it is
                # set aside like the live path's, so the log moves on (shared/reading.py).
                if self.provider.too_new.decide(exc) is not None:
                    raise
                self._set_aside(handler, message, self.provider.too_new.reason(exc), "too_new")
                return
            except Exception as exc:  # noqa: BLE001 - the next attempt, or a dead letter
                if is_outage(exc):
                    raise
                failure = exc
        self._set_aside(handler, message, f"handler failed {poison.max_attempts} times "
                        f"(catch-up): {type(failure).__name__}: {failure}", "handler_failed")

    def _set_aside(self, handler: Subscription, message: dict[str, Any], reason: str,
                   kind: str) -> None:
        poison = self.provider.poison
        with get_producer(poison.amqp_uri) as producer:
            # Replayed into the live subscription's queue, whose handler is this one.
            poison.set_aside(producer, message, reason, kind, handler.queue.name)
