"""A replica's grants (shared/access/grants.py) and the check every command runs
(shared/access/caller.py), without servers: the registry is a function here."""

from __future__ import annotations

import time
from types import SimpleNamespace

import eventlet
import pytest

from services.catalogue import entrypoints, service_classes
from shared.access import caller, grants
from shared.access.caller import PRINCIPAL, check, scope
from shared.access.grants import Book
from shared.access.roles import GRANTABLE, records
from shared.contracts.envelope import known_attributes
from shared.errors import Forbidden, Unavailable

ACADEMY = {"principal": "academy", "role": "academy", "programmes": ["P1"]}


class Registry:
    """The registry's `list_access`, counting its askings; it may be away."""

    def __init__(self, *facts):
        self.facts, self.asked, self.away = list(facts), 0, False

    def __call__(self):
        self.asked += 1
        if self.away:
            raise ConnectionError("registry away")
        return list(self.facts)


def as_caller(book: Book, principal: str | None):
    caller.enter(SimpleNamespace(data={PRINCIPAL: principal}), book)


@pytest.fixture(autouse=True)
def no_caller():
    yield
    caller.leave()


def test_a_grant_made_a_moment_ago_is_asked_for_on_the_miss():
    registry = Registry()
    book = Book(registry, "training")
    book.refresh()
    registry.facts.append(ACADEMY)
    assert book.grant_on_miss("academy").role == "academy"


def test_misses_together_share_one_asking():
    registry = Registry()
    book = Book(registry, "training")
    book.refresh()
    asked = registry.asked
    threads = [eventlet.spawn(book.grant_on_miss, "stranger") for _ in range(20)]
    assert [t.wait() for t in threads] == [None] * 20
    assert registry.asked - asked <= 2


def test_the_last_grants_hold_while_the_registry_is_away_then_no_longer(monkeypatch):
    registry = Registry(ACADEMY)
    book = Book(registry, "training")
    assert book.refresh()
    registry.away = True
    assert not book.refresh()
    assert book.grant_of("academy") is not None
    monkeypatch.setattr(grants, "MAX_AGE", 0.0)
    time.sleep(0.01)
    assert book.grant_of("academy") is None  # a revocation cannot go unheard for ever
    as_caller(book, "academy")
    with pytest.raises(Unavailable, match="could not ask the registry"):
        check("training", "enrol", None, {}, None)


def test_a_replica_that_never_reached_the_registry_answers_unavailable():
    registry = Registry(ACADEMY)
    registry.away = True
    as_caller(Book(registry, "training"), "academy")
    with pytest.raises(Unavailable):
        check("training", "enrol", None, {}, None)


def test_a_malformed_grant_keeps_the_last_grants_and_raises_nothing():
    registry = Registry(ACADEMY)
    book = Book(registry, "training")
    book.refresh()
    registry.facts = [{"principal": "academy", "role": "academy"}]  # no programmes
    assert book.refresh() is False
    assert book.grant_of("academy").programmes == frozenset({"P1"})


def test_operators_and_services_are_known_without_asking():
    registry = Registry()
    registry.away = True
    book = Book(registry, "training", operators=["ops"], services=["registry"])
    assert (book.grant_of("ops").role, book.grant_of("registry").role) == (
        "operators", "service")


def test_a_scoped_grant_may_not_run_a_record_that_names_no_programme():
    book = Book(Registry(ACADEMY), "training")
    book.refresh()
    as_caller(book, "academy")
    with pytest.raises(Forbidden, match="names no programme"):
        check("training", "enrol", None, {"course_id": "x"}, None)


def test_the_course_decides_over_a_programme_named_beside_it():
    of_course = scope("course_id", lambda service, value: "P2")
    either = scope("course_id", of_course.resolve, fallback=scope("programme_id"))
    assert either.programme(None, {"course_id": "c", "programme_id": "P1"}) == (
        "course_id", "P2")
    assert either.programme(None, {"programme_id": "P1"}) == ("programme_id", "P1")


def test_every_record_command_says_which_programme_it_records_for():
    """A command a role records with and no programme scope would be refused to every
    scoped grant: found by introspection, so a new one cannot be forgotten."""
    classes = service_classes()
    unscoped = [f"{s}.{m}" for s, m in entrypoints()
                if any(records(role, s, m) for role in GRANTABLE)
                and getattr(getattr(classes[s], m), "programme_scope", None) is None]
    assert unscoped == []


def test_unknown_extension_attributes_are_ignored_and_others_kept():
    body = {"specversion": "1.0", "traceparent": "00-ab", "recordedby": "academy",
            "Odd-Name": 1}
    assert known_attributes(body) == {"specversion": "1.0", "recordedby": "academy",
                                      "Odd-Name": 1}  # not an extension's name: refused later


def test_the_lock_is_not_held_after_a_failed_asking():
    registry = Registry()
    registry.away = True
    book = Book(registry, "training")
    assert book.refresh() is False
    assert book.lock.acquire(blocking=False)  # the next asking is not kept waiting
    book.lock.release()
