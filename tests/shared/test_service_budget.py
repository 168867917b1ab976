"""A page of the notification log stays under a byte budget, whatever its events weigh."""

from types import SimpleNamespace

from shared.service import within_page_bytes


def notes(*sizes):
    return [SimpleNamespace(id=n + 1, state=b"x" * size) for n, size in enumerate(sizes)]


def test_a_page_stops_before_the_notification_that_would_pass_the_budget():
    page = within_page_bytes(notes(400, 400, 400, 400), budget=1000)
    assert [n.id for n in page] == [1, 2]


def test_a_single_notification_larger_than_the_budget_still_makes_a_page():
    assert [n.id for n in within_page_bytes(notes(5000, 10), budget=1000)] == [1]


def test_light_notifications_fill_the_page_as_asked():
    assert len(within_page_bytes(notes(*[10] * 1000), budget=1000 * 10)) == 1000
