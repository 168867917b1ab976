"""The events behind a figure, paged by a cursor over a total order: however small the
pages, every unit once (one score sheet's event stands behind many pupils); and every
figure an approval fixes, money included, with the events recorded since."""

import base64
import dataclasses
import json
from datetime import timedelta

import pytest

from services.reporting import migrations
from services.reporting.api.requests import EventsPage
from services.reporting.figures import approvals, behind, reports
from services.reporting.ingest import projections
from shared.errors import InvalidInput
from shared.validation import load
from tests.reporting.conftest import fresh_schema
from tests.reporting.figure_stream import PUPILS, figure_stream
from tests.reporting.stream import P

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sheets(database, tmp_path_factory):
    """A model where one event stands behind each of 60 pupils."""
    schema = fresh_schema(database)
    projections.handle_batch(database, figure_stream(tmp_path_factory.mktemp("sheets")), schema)
    return schema


def paged(cur, schema, figure, limit):
    lines, after, pages = [], 0, 0
    while after is not None:
        page = behind.page(cur, schema, P, figure, after, limit)
        lines, after, pages = lines + page["events"], page["next_after"], pages + 1
        assert pages <= page["count"] + 1, figure  # a cursor that moves on
    return lines, page


def unit(line):
    return (line["source"], line["notification_id"], line.get("part"),
            tuple(sorted(line["fields"].items())))


def test_small_pages_list_every_pupil_behind_one_score_sheet_once(database, sheets):
    with database, database.cursor() as cur:
        lines, page = paged(cur, sheets, "pupils_assessed", 7)
    pupils = [line["fields"]["pupil_ref"] for line in lines]
    assert len(set(pupils)) == len(pupils) == page["count"] == PUPILS


@pytest.mark.parametrize("limit", [1, 3])
def test_every_figures_events_page_to_the_whole_list_each_unit_once(database, in_order,
                                                                    sheets, limit):
    _, schema = in_order
    with database, database.cursor() as cur:
        for model in (schema, sheets):
            for figure in behind.figures():
                whole, _ = paged(cur, model, figure, 1000)
                lines, page = paged(cur, model, figure, limit)
                assert len({unit(line) for line in whole}) == len(whole), figure  # total
                assert [unit(line) for line in lines] == [unit(line) for line in whole]
                assert len(lines) == page["count"], figure


def test_a_page_cursor_is_opaque_and_the_first_page_is_asked_as_before(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        first = behind.page(cur, schema, P, "pupils_assessed", 0, 2)
        again = [behind.page(cur, schema, P, "pupils_assessed", after, 2)
                 for after in (None, "", "0")]
        second = behind.page(cur, schema, P, "pupils_assessed", first["next_after"], 2)
    assert isinstance(first["next_after"], str)
    assert all(page["events"] == first["events"] for page in again)
    assert not {unit(e) for e in second["events"]} & {unit(e) for e in first["events"]}
    assert load(EventsPage(), {"after": "0"})["after"] in ("0", None)
    assert load(EventsPage(), {})["after"] in ("", None)
    assert load(EventsPage(), {"after": first["next_after"]})["after"] == first["next_after"]


@pytest.mark.parametrize("junk", ["12", "-1", "bm90IGEgY3Vyc29y", "%%%", "W10", "x" * 5000])
def test_a_malformed_cursor_is_refused_naming_after(junk):
    with pytest.raises(InvalidInput) as refused:
        load(EventsPage(), {"after": junk, "limit": "10"})
    assert set(refused.value.errors) == {"after"}


def crafted(*key):
    """A cursor spelled by hand: the right shape, JSON escapes and all."""
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


DATABASE_REFUSES = [crafted("\u0000", 1, "", ""), crafted("training", 1, "", "\ud800"),
                    crafted("", 2 ** 63, "", ""), crafted("", -(2 ** 63) - 1, "", "")]


def test_a_cursor_is_refused_naming_after_unless_the_database_can_take_it(database,
                                                                         in_order):
    for junk in DATABASE_REFUSES:
        with pytest.raises(InvalidInput) as refused:
            load(EventsPage(), {"after": junk})
        assert set(refused.value.errors) == {"after"}, junk
    # The edges of what it can take are asked, not refused.
    edges = [crafted("\U0001f600 ё", 2 ** 63 - 1, "numerator", "{}"),
             crafted("", -(2 ** 63), "", "")]
    _, schema = in_order
    with database, database.cursor() as cur:
        pages = [behind.page(cur, schema, P, "teachers_trained", load(
            EventsPage(), {"after": after})["after"], 5) for after in edges]
    assert pages[0]["events"] == [] and pages[1]["events"]


def test_every_figure_an_approval_fixes_has_its_events(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        fixed = approvals.snapshot(cur, P, schema)
    assert set(fixed) <= set(behind.figures())


def test_spending_after_an_approval_is_listed_behind_the_remaining_money(database, events):
    schema = fresh_schema(database)
    projections.handle_batch(database, events, schema)
    up_to = max(e.time for e in events) + timedelta(seconds=1)
    [spending] = [e for e in events if e.type == "ExpenditureRecorded"]
    later = dataclasses.replace(spending, time=up_to + timedelta(minutes=5),
                                notificationid=spending.notificationid + 10_000,
                                data={**spending.data, "reference": "PO-8",
                                      "amount_kzt": 250_000})
    with database, database.cursor() as cur:
        migrations.prepare(cur)
        approvals.record(cur, P, "akimat", "tok", up_to, None,
                         approvals.snapshot(cur, P, schema))
    projections.handle_batch(database, [later], schema)
    with database, database.cursor() as cur:
        report = reports.programme_report(cur, P, schema)
        changes = {c["figure"]: c for c in approvals.beside(cur, P, schema, report)["changes"]}
        remaining = behind.page(cur, schema, P, "remaining_kzt", 0, 1000)
    change = changes["remaining_kzt"]
    assert change["preliminary"] == change["approved"] - 250_000
    assert change["events_since"] == 1
    assert [(e["type"], e["value"], e["fields"]["reference"]) for e in change["events"]] == [
        ("ExpenditureRecorded", -250_000, "PO-8")]
    assert remaining["figure"] == report["money"]["remaining_kzt"] == sum(
        e["value"] for e in remaining["events"])
