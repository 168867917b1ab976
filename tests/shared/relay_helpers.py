"""Helpers for relay tests: fill an event store quickly, read what reached the broker."""

from __future__ import annotations

import json
from datetime import date

import kombu

from services.training.app import TrainingApplication
from services.training.contracts import CONTRACTS
from services.training.domain import Course, Enrolment
from shared.config import event_store_env, postgres_dsn
from shared.positions import PostgresPositionStore
from shared.publisher import ConfirmingPublisher, events_exchange
from shared.relay import Relay


def make_app(store: dict) -> TrainingApplication:
    return TrainingApplication(env=event_store_env({"EVENT_STORE": store}))


def make_relay(app, store: dict, amqp_uri: str, **options) -> Relay:
    dsn = postgres_dsn({"EVENT_STORE": store})
    publisher = options.pop("publisher", None) or ConfirmingPublisher(amqp_uri, "training")
    return Relay(app, CONTRACTS, PostgresPositionStore(dsn, "training"), publisher, **options)


def save_enrolments(app, count: int, start: int = 0, per_save: int = 100) -> None:
    """Store `count` ParticipantEnrolled events, many per save (one transaction each)."""
    course = Course(programme_id="p", code="C", title="t", subject="s", format="online",
                    audience="teacher", planned_hours=1, completion_hours=1, provider="x")
    if app.find(course.id, Course) is None:
        app.save(course)
    for first in range(start, start + count, per_save):
        batch = [Enrolment(course_id=course.id, programme_id="p", participant_id=f"T-{n}",
                           school_id="S-1", role="teacher", management_team_id=None,
                           enrolled_on=date(2024, 9, 1))
                 for n in range(first, min(first + per_save, start + count))]
        app.save(*batch)


def declare_tap(amqp_uri: str, name: str = "tap") -> kombu.Queue:
    """A durable queue bound to every training event, declared before anything is published."""
    queue = kombu.Queue(name, exchange=events_exchange("training"), routing_key="#",
                        durable=True, auto_delete=False)
    with kombu.Connection(amqp_uri) as conn:
        queue(conn.channel()).declare()
    return queue


def drain(amqp_uri: str, queue: kombu.Queue, expected: int, timeout: float = 30.0) -> list[int]:
    """Notification ids of all messages in the queue, in arrival order (duplicates kept)."""
    import time

    ids: list[int] = []
    deadline = time.monotonic() + timeout
    with kombu.Connection(amqp_uri) as conn:
        bound = queue(conn.channel())
        while time.monotonic() < deadline:
            message = bound.get(no_ack=True)
            if message is None:
                if len(set(ids)) >= expected:
                    break
                time.sleep(0.05)
                continue
            ids.append(json.loads(message.body)["notificationid"])
    return ids


def first_occurrences(ids: list[int]) -> list[int]:
    seen: set[int] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]
