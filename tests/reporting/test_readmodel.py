"""The read model on PostgreSQL: duplicates and any order give the identical model."""

import dataclasses
import hashlib
import io
import math
import statistics
import uuid
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import psycopg2
import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting import migrations
from services.reporting.api import cache, tokens
from services.reporting.api.render import iati, xlsx
from services.reporting.figures import (
    behind,
    catalogue,
    outcomes,
    progress,
    reconcile,
    reports,
)
from services.reporting.ingest import projections, tables
from tests.conftest import PG_HOST, PG_PORT, ROOT, dsn_of
from tests.reporting.conftest import asked_both_ways, dump, fresh_schema
from tests.reporting.stream import P

pytestmark = pytest.mark.integration

def test_the_stream_gives_the_seed_like_figures(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        figures = reports.figures(cur, P, schema)
        money = reports.money(cur, P, schema)
    assert figures["teachers_trained"] == 2
    assert figures["trainers_certified"] == 1
    # S0 first got two cabinets, then (fewer pupils, before procurement) one combined.
    assert (figures["cabinets_commissioned"], figures["schools_equipped"]) == (2, 2)
    assert figures["pupils_assessed"] == 5  # four in the baseline, one more in the endline
    assert (money["committed_kzt"], money["procured_kzt"]) == (3_000_000, 2_000_000)
    assert (money["expenditure_kzt"], money["spent_kzt"], money["remaining_kzt"]) == (
        400_000, 2_400_000, 600_000)
    assert money["spent_by_category"] == {"seminars": 400_000}
    assert money["disbursed_kzt"] == money["commitments"][0]["disbursed_kzt"] == 2_500_000
    assert (figures["teachers_with_category"], figures["programme_teachers"]) == (2, 4)
    [line] = money["commitments"]  # named in the funder's three languages, as registered
    assert (line["funder_id"], line["funder_name_kk"], line["funder_name_ru"],
            line["funder_name_en"]) == ("qh", "Қор", "Фонд", "Fund")


def test_a_share_is_reported_as_a_percentage_with_its_numerator_and_denominator(
        database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        share = next(i for i in reports.indicators(cur, P, schema)
                     if i["indicator"] == "teachers_with_category_share")
    # T0 (enrolled, attested twice) and T9 (attested only) of T0, T1, T2, T9.
    assert (share["measure"], share["actual"], share["numerator"], share["denominator"],
            share["baseline"], share["target"], share["share_reached"]) == (
        "percentage", Decimal("50.0"), 2, 4, "25", "80", "0.625")


def test_a_share_of_nobody_has_no_actual_rather_than_zero():
    assert reports.actual_of({"teachers_with_category": 0, "programme_teachers": 0},
                             "teachers_with_category_share") == {
        "actual": None, "numerator": 0, "denominator": 0}
    assert catalogue.percentage(1, 3) == Decimal("33.3")


def test_a_commitment_before_its_funders_registration_has_no_names_yet(database, events):
    schema = fresh_schema(database)
    commitments = [e for e in events if e.type == "FundingCommitted"]
    assert commitments
    projections.handle_batch(database, commitments, schema)
    with database, database.cursor() as cur:
        [line] = reports.money(cur, P, schema)["commitments"]
    assert line["funder_id"] == "qh" and line["funder_name_ru"] is None
    projections.handle_batch(database, [e for e in events if e.type == "FunderRegistered"],
                           schema)
    with database, database.cursor() as cur:
        [line] = reports.money(cur, P, schema)["commitments"]
    assert line["funder_name_ru"] == "Фонд"


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_duplicates_and_any_order_give_the_identical_read_model(database, events, in_order,
                                                                data):
    shuffled = data.draw(st.permutations(events))
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=len(events)))
    positions = data.draw(st.lists(st.integers(0, len(shuffled)), min_size=len(repeats),
                                   max_size=len(repeats)))
    delivery = list(shuffled)
    for envelope, at in zip(repeats, positions, strict=True):
        delivery.insert(at, envelope)  # redeliveries, anywhere in the stream
    schema = fresh_schema(database)
    applied = sum(projections.handle(database, envelope, schema) for envelope in delivery)
    assert applied == len(events)
    assert dump(database, schema) == in_order[0]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_batches_of_any_size_with_repeats_inside_give_the_identical_read_model(
        database, events, in_order, data):
    # The live feed and the catch-up apply a transaction per batch: cut a shuffled stream with
    # redeliveries (inside one batch and across batches) at random places.
    delivery = data.draw(st.permutations(events + data.draw(
        st.lists(st.sampled_from(events), max_size=len(events)))))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(delivery)), max_size=8)))
    batches = [delivery[a:b] for a, b in zip([0, *cuts], [*cuts, len(delivery)], strict=True)]
    schema = fresh_schema(database)
    applied = [projections.handle_batch(database, batch, schema) for batch in batches]
    assert sum(len(fresh) for fresh in applied) == len(events)
    assert dump(database, schema) == in_order[0]


def test_reconciliation_finds_no_difference_and_catches_a_lost_event(database, events,
                                                                      in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        assert reconcile.differences(events, cur, [P], schema) == []
        # Lose one completion: the read model says 1 teacher trained, the logs say 2.
        cur.execute(f"UPDATE {schema}.enrolments SET status = 'enrolled', status_version = 0"
                    " WHERE status = 'completed' AND role = 'teacher' AND participant_id = 'T1'")
        assert reconcile.differences(events, cur, [P], schema) == [
            {"programme_id": P, "indicator": "teachers_trained", "from_logs": 2,
             "read_model": 1},
            {"programme_id": P, "indicator": "organisation:S0:participants_trained",
             "from_logs": 2, "read_model": 1}]
        database.rollback()


def test_reconciliation_catches_a_commitment_id_two_programmes_share(database, events):
    """Defect 1 as it reached the read model before the registry refused it: a second
    programme's commitment under an id already used. The read model keeps one, so the
    second programme's money is short; reconciliation, which keys money by programme and
    id, says so instead of "0 differences"."""
    schema = fresh_schema(database)
    launch = next(e for e in events if e.type == "ProgrammeLaunched")
    commitment = next(e for e in events if e.type == "FundingCommitted")
    newest = max(e.notificationid for e in events if e.source == launch.source)
    other = [dataclasses.replace(launch, data={**launch.data, "programme_id": "other"},
                                 subject=str(uuid.uuid4()), notificationid=newest + 1),
             dataclasses.replace(commitment, subject=str(uuid.uuid4()),
                                 notificationid=newest + 2,
                                 data={**commitment.data, "programme_id": "other",
                                       "amount_kzt": 1_000_000})]
    for envelope in events + other:
        projections.handle(database, envelope, schema)
    with database, database.cursor() as cur:
        found = reconcile.differences(events + other, cur, [P, "other"], schema)
    assert {(d["programme_id"], d["indicator"], d["from_logs"], d["read_model"])
            for d in found} == {("other", "money:committed_kzt", 1_000_000, 0),
                                ("other", "money:QH:committed_kzt", 1_000_000, None),
                                ("other", "money:QH:expenditure_kzt", 0, None),
                                ("other", "money:QH:disbursed_kzt", 0, None),
                                ("other", "money:QH:procured_kzt", 0, None)}


def test_reconciliation_catches_a_wrong_outcome_cell(database, events, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        cur.execute(f"UPDATE {schema}.scores SET score = score + 5 WHERE round_id = 'END'"
                    " AND score = 30")  # EJ-9's endline: unmatched, so only the means move
        found = reconcile.differences(events, cur, [P], schema)
        database.rollback()
    assert {d["indicator"] for d in found} == {
        f"outcome:END:6:math:{split}:endline.{name}" for split in
        ("all", "small_class", "district:1532", "model:digital_solutions")
        for name in ("mean",)}


def test_learning_outcomes_match_a_direct_computation(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        [overall, *splits] = outcomes.learning_outcomes(cur, P, schema)
    # baseline: EJ-0 corrected to 25, EJ-1 11, EJ-2 12, EJ-3 13; endline: 27, 16, 21, 30
    before, after = [25, 11, 12], [27, 16, 21]
    gain = statistics.mean(after) - statistics.mean(before)
    d = gain / math.sqrt((statistics.variance(before) + statistics.variance(after)) / 2)
    assert overall["split"] == "all"
    assert overall["baseline"] == {"pupils": 4, "schools": 1, "mean": "15.250",
                                   "mean_ci": None, "share_at_or_above_threshold": "0.250"}
    assert overall["endline"] == {"pupils": 4, "schools": 1, "mean": "23.500",
                                  "mean_ci": None, "share_at_or_above_threshold": "0.750"}
    assert (overall["matched_pupils"], overall["matched_schools"]) == (3, 1)
    assert overall["gain"] == f"{gain:.3f}"
    assert overall["effect_size_d"] == f"{d:.3f}"
    # One school is one cluster: no cluster-robust interval can be drawn from it.
    assert overall["gain_ci"] is None and overall["effect_size_d_ci"] is None
    assert {s["split"] for s in splits} == {"small_class", "district:1532",
                                            "model:digital_solutions", "comparison"}


def later_event(events, kind, organisation_id, **data):
    """A copy of the stream's last `kind` event of the organisation, as a newer event."""
    last = [e for e in events if e.type == kind and e.data.get("organisation_id")
            == organisation_id][-1]
    newest = max(e.notificationid for e in events if e.source == last.source)
    return dataclasses.replace(last, data={**last.data, **data}, notificationid=newest + 1,
                               subjectversion=last.subjectversion + 1)


def test_a_past_rounds_outcomes_keep_their_split_when_next_years_profile_arrives(
        database, events):
    schema = fresh_schema(database)
    for envelope in events:
        projections.handle(database, envelope, schema)
    with database, database.cursor() as cur:
        before = outcomes.learning_outcomes(cur, P, schema)
    assert {o["split"] for o in before} == {"all", "small_class", "district:1532",
                                            "model:digital_solutions", "comparison"}
    # 2025-2026: S0 grows past the small-class limit. The 2023-2024 rounds must not move.
    grown = later_event(events, "OrganisationRegistered", "S0", school_year="2025-2026",
                        small_class=False, pupils=140)
    assert projections.handle(database, grown, schema)
    with database, database.cursor() as cur:
        assert outcomes.learning_outcomes(cur, P, schema) == before
        assert reports.organisations(cur, P, schema)[0]["small_class"] is False  # current


def test_a_pupil_recorded_by_two_schools_in_one_round_counts_at_each(database, events):
    schema = fresh_schema(database)
    for envelope in events:
        projections.handle(database, envelope, schema)
    [sheet] = [e for e in events if e.type == "ScoresRecorded"
               and e.data["round_id"] == "BASE" and e.data["school_id"] == "S0"][:1]
    pupil = sheet.data["scores"][0]
    elsewhere = dataclasses.replace(
        sheet, subject=str(uuid.uuid4()), subjectversion=1,
        notificationid=max(e.notificationid for e in events) + 1,
        data={**sheet.data, "school_id": "S1", "scores": [pupil]})
    assert projections.handle(database, elsewhere, schema)
    with database, database.cursor() as cur:
        by_school = {o["organisation_id"]: o["pupils_assessed"]
                     for o in reports.organisations(cur, P, schema)}
        figures = reports.figures(cur, P, schema)
        assert reconcile.differences(events + [elsewhere], cur, [P], schema) == []
    assert by_school == {"S0": 5, "S1": 1}  # S0's own pupils, and S1's one
    assert figures["pupils_assessed"] == 5  # the programme counts each pupil once


def test_drill_downs_add_up_to_the_programme_figures(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        figures = reports.figures(cur, P, schema)
        by_district = reports.districts(cur, P, schema)
        by_organisation = reports.organisations(cur, P, schema)
    assert sum(d["cabinets_commissioned"] for d in by_district) == figures[
        "cabinets_commissioned"] == sum(o["cabinets_commissioned"] for o in by_organisation)
    assert sum(d["organisations"] for d in by_district) == figures["organisations_reached"]
    assert sum(d["pupils"] for d in by_district) == figures["pupils_reached"]
    assert sum(o["pupils_assessed"] for o in by_organisation) == figures["pupils_assessed"]


def test_the_iati_export_is_valid_203_and_its_money_adds_up(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        document = iati.activity_xml(cur, P, schema)
        money = reports.money(cur, P, schema)
    iati_schema = xmlschema.XMLSchema(str(ROOT / "schemas/iati-2.03/iati-activities-schema.xsd"))
    iati_schema.validate(document.decode())
    activity = ElementTree.fromstring(document).find("iati-activity")
    roles = {(o.get("ref"), o.get("role")) for o in activity.iter("participating-org")}
    assert roles == {("KZ-BAQYLAU-qh", "1"), ("KZ-BAQYLAU-akimat", "2")}
    spent = [int(t.find("value").text) for t in activity.iter("transaction")
             if t.find("transaction-type").get("code") == "4"]
    committed = [int(t.find("value").text) for t in activity.iter("transaction")
                 if t.find("transaction-type").get("code") == "2"]
    disbursed = [int(t.find("value").text) for t in activity.iter("transaction")
                 if t.find("transaction-type").get("code") == "3"]
    assert (sum(spent), sum(committed)) == (money["spent_kzt"], money["committed_kzt"])
    assert disbursed == [2_000_000, 500_000] and sum(disbursed) == money["disbursed_kzt"]
    actuals = {i.find("title/narrative").text: i.find("period/actual").get("value")
               for i in activity.iter("indicator")}
    assert actuals == {"Cabinets commissioned": "2", "Teachers trained": "2",
                       "Share of teachers with a category": "50.0"}
    [share] = [i for i in activity.iter("indicator") if i.get("measure") == "2"]
    assert share.find("period/actual/comment/narrative").text == "2 of 4"


def test_the_xlsx_export_has_a_sheet_per_section_with_numbers_as_numbers(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        report = reports.programme_report(cur, P, schema)
        document = xlsx.workbook(report, reports.districts(cur, P, schema),
                                 reports.organisations(cur, P, schema))
    book = openpyxl.load_workbook(io.BytesIO(document))
    assert book.sheetnames == ["Indicators", "Progress", "Money", "Spending",
                               "Spending by commitment", "Learning outcomes", "Diffusion",
                               "Cabinets", "Cabinets in total", "Districts", "Organisations"]
    money = list(book["Money"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in money] == [c["committed_kzt"] for c in
                                          report["money"]["commitments"]]
    assert all(isinstance(row[3], int) for row in money)
    assert [row[9:12] for row in money] == [("Қор", "Фонд", "Fund")]
    assert [row[4:9] for row in money] == [(2_500_000, 2_000_000, 400_000, 2_400_000, 600_000)]
    assert list(book["Spending"].iter_rows(min_row=2, values_only=True)) == [("seminars", 400_000)]
    [header, outcome] = list(book["Learning outcomes"].iter_rows(max_row=2, values_only=True))
    d = outcome[header.index("effect_size_d")]
    assert isinstance(d, float) and f"{d:.3f}" == report["learning_outcomes"][0]["effect_size_d"]
    district = next(book["Districts"].iter_rows(min_row=2, values_only=True))
    assert district[0] == "1532"  # a code stays text


def test_tokens_are_stored_only_as_hashes_and_revocation_holds(pg_database):
    conn = psycopg2.connect(dsn_of(pg_database))
    try:
        with conn, conn.cursor() as cur:
            migrations.prepare(cur)
            issued = tokens.issue(cur, "qazaqstan-halqyna")
            cur.execute(f"SELECT * FROM {tokens.TABLE}")
            stored = " ".join(str(value) for row in cur.fetchall() for value in row)
            assert issued["token"] not in stored                     # never the token itself
            assert hashlib.sha256(issued["token"].encode()).hexdigest() in stored
            assert tokens.funder_of(cur, f"Bearer {issued['token']}") == "qazaqstan-halqyna"
            assert tokens.funder_of(cur, f"Bearer {issued['token'][:-1]}") is None
            assert tokens.funder_of(cur, issued["token"]) is None    # not a Bearer header
            assert tokens.revoke(cur, issued["token_id"])
            assert tokens.funder_of(cur, f"Bearer {issued['token']}") is None
    finally:
        conn.close()


def test_a_cached_report_is_recomputed_after_any_change_and_never_served_stale(database,
                                                                               events):
    schema = fresh_schema(database)
    half = len(events) // 2
    projections.handle_batch(database, events[:half], schema)
    reports_cache, computed = cache.ReportCache(), []

    def report():
        with database, database.cursor() as cur:
            return reports_cache.get(cur, schema, P, P, lambda: computed.append(1) or
                                     reports.programme_report(cur, P, schema))

    first = report()
    assert report() is first and len(computed) == 1  # same state: computed once
    projections.handle_batch(database, events[:half], schema)  # all repeats: nothing changes
    assert report() is first and len(computed) == 1
    projections.handle_batch(database, events[half:], schema)
    latest = report()
    assert len(computed) == 2
    with database, database.cursor() as cur:
        assert latest == reports.programme_report(cur, P, schema)
    assert latest != first


def test_many_requests_missing_at_once_compute_the_report_once(database, in_order):
    import eventlet

    _, schema = in_order
    reports_cache, computed = cache.ReportCache(), []

    def slow_report():
        computed.append(1)
        eventlet.sleep(0.2)
        return {"figures": len(computed)}

    def request():
        conn = psycopg2.connect(dsn_of({"host": PG_HOST, "port": PG_PORT, "user": "reporting",
                                        "password": "reporting",
                                        "dbname": database.info.dbname}))
        try:
            with conn, conn.cursor() as cur:
                return reports_cache.get(cur, schema, P, P, slow_report)
        finally:
            conn.close()

    pool = eventlet.GreenPool(20)
    answers = list(pool.imap(lambda _: request(), range(20)))
    assert computed == [1]
    assert all(answer is answers[0] for answer in answers)


def test_one_statement_answers_as_the_full_way_does(pg_database, events):
    """The fast path's function against the queries it replaces, for every kind of token:
    the funder with a role, the one with money, one with neither, a revoked one, a forged
    one; then after a rebuild's switch and after more events."""
    conn = psycopg2.connect(dsn_of(pg_database))
    half = len(events) // 2

    def both(authorization, programme):
        return asked_both_ways(conn, authorization, programme)

    try:
        with conn, conn.cursor() as cur:
            prepare_access(cur)
            issued = {funder: tokens.issue(cur, funder) for funder in ("qh", "akimat", "none")}
            revoked = tokens.issue(cur, "qh")
            tokens.revoke(cur, revoked["token_id"])
        projections.handle_batch(conn, events[:half], tables.SCHEMA)
        bearer = {funder: f"Bearer {t['token']}" for funder, t in issued.items()}
        for authorization in [*bearer.values(), f"Bearer {revoked['token']}",
                              bearer["qh"][:-1], issued["qh"]["token"], None]:
            for programme in (P, "uralsk", "'; DROP TABLE rm.programmes; --"):
                fast, full = both(authorization, programme)
                assert fast == full, (authorization, programme)
        assert both(bearer["qh"], P)[0].visible           # money committed
        assert both(bearer["akimat"], P)[0].visible       # a role, no money
        assert not both(bearer["none"], P)[0].visible     # a token, nothing of theirs
        assert both(bearer["qh"], P)[0].schema == tables.SCHEMA

        before = both(bearer["qh"], P)[0].version
        projections.handle_batch(conn, events[half:], tables.SCHEMA)
        assert both(bearer["qh"], P)[0].version > before  # a new state, a new cache key

        rebuilt = fresh_schema(conn)
        projections.handle_batch(conn, events, rebuilt)
        with conn, conn.cursor() as cur:
            tables.switch(cur, rebuilt)
        fast, full = both(bearer["akimat"], P)
        assert fast == full and fast.schema == rebuilt and fast.visible
    finally:
        conn.close()


def prepare_access(cur):
    tables.ensure_current(cur)
    migrations.prepare(cur)


def test_a_programme_is_visible_once_its_launch_has_arrived(pg_database, events):
    """Money and roles may reach the read model before the programme's launch; until the
    launch arrives there is no report to show, so the programme is not listed and its
    endpoints answer 404, never a half-made report."""
    conn = psycopg2.connect(dsn_of(pg_database))
    try:
        with conn, conn.cursor() as cur:
            prepare_access(cur)
            bearer = f"Bearer {tokens.issue(cur, 'qh')['token']}"
        launch = [e for e in events if e.type == "ProgrammeLaunched"]
        projections.handle_batch(conn, [e for e in events if e not in launch], tables.SCHEMA)
        fast, full = asked_both_ways(conn, bearer, P)
        assert fast == full and not fast.visible
        projections.handle_batch(conn, launch, tables.SCHEMA)
        fast, full = asked_both_ways(conn, bearer, P)
        assert fast == full and fast.visible
        with conn, conn.cursor() as cur:
            assert reports.programme_report(cur, P)["money"]["committed_kzt"] == 3_000_000
    finally:
        conn.close()


def test_the_events_behind_every_figure_sum_to_it_and_name_their_events(database, events,
                                                                        in_order):
    _, schema = in_order
    by_id = {(e.service, e.notificationid): e for e in events}
    with database, database.cursor() as cur:
        counts = reports.figures(cur, P, schema)
        money = reports.money(cur, P, schema)
        for figure in behind.figures():
            lines, after = [], 0
            while after is not None:
                page = behind.page(cur, schema, P, figure, after, 2)
                lines, after = lines + page["events"], page["next_after"]
            assert len(lines) == page["count"], figure
            for line in lines:  # each names a real event of the stream, with its type
                event = by_id[(line["source"].rsplit("/", 1)[1], line["notification_id"])]
                assert (line["type"], line["time"]) == (event.type, event.time.isoformat())
            line = progress.monthly(cur, schema, P, figure, date(2023, 1, 1),
                                    date(2024, 12, 31))
            assert line[-1]["actual"] == page["figure"], figure  # the line ends at it
            if "numerator" in page:
                assert (page["numerator"], page["denominator"]) == tuple(
                    sum(x["value"] for x in lines if x["part"] == part)
                    for part in ("numerator", "denominator")) == (2, 4)
            else:
                assert sum(x["value"] for x in lines) == page["figure"] == (
                    counts[figure] if figure in counts else money[figure]), figure


@pytest.mark.parametrize("made_by", ["model_v2.sql", "model_v4.sql"])
def test_a_model_made_by_an_older_version_is_upgraded_in_place_and_reports_the_same(
        database, events, in_order, made_by):
    """A live model made by an older version (2, or 4: main before past moments came from
    the model) keeps answering while its rebuild runs: its tables gain the new columns and
    tables, new events land in them, and every report is what a model made by this version
    says; it is marked outdated, so the service rebuilds it."""
    _, fresh = in_order
    old = f"rm_old_{uuid.uuid4().hex[:6]}"
    with database, database.cursor() as cur:
        cur.execute((ROOT / "tests/reporting" / made_by).read_text().format(s=old))
        tables.create(cur, old)  # what ensure_current does to the live schema on start
    for envelope in events:
        assert projections.handle(database, envelope, old)
    with database, database.cursor() as cur:
        assert reports.programme_report(cur, P, old) == reports.programme_report(cur, P, fresh)
        assert reports.organisations(cur, P, old) == reports.organisations(cur, P, fresh)
        assert reconcile.differences(events, cur, [P], old) == []
        cur.execute(f"SELECT count(*) FROM {old}.enrolments WHERE ended_nid IS NOT NULL")
        assert cur.fetchone()[0] == 3  # the new columns are filled from here on


def test_progress_runs_month_by_month_by_the_facts_own_dates_and_ends_at_the_figure(
        database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        report = reports.programme_report(cur, P, schema)
    lines = {i["indicator"]: i for i in report["indicators"]}
    trained = lines["teachers_trained"]["progress"]
    # The programme ran 2023-01 .. 2024-12 (it is over): one point a month, no more.
    assert [p["month"] for p in trained][:3] == ["2023-01", "2023-02", "2023-03"]
    assert len(trained) == 24 and trained[-1]["month"] == "2024-12"
    # Both teachers completed on 2023-09-20: nothing before September, both from then on.
    assert {p["month"]: p["actual"] for p in trained}["2023-08"] == 0
    assert {p["month"]: p["actual"] for p in trained}["2023-09"] == 2
    share = lines["teachers_with_category_share"]["progress"]
    # T0 enrolled 2023-09-01 and was attested in November; T9 was attested on 2023-12-01.
    # The share is of the programme's teachers as the report counts them, month by month.
    by_month = {p["month"]: p["actual"] for p in share}
    assert (by_month["2023-08"], by_month["2023-10"], by_month["2023-11"]) == (
        Decimal("0.0"), Decimal("0.0"), Decimal("25.0"))  # 1 of the 4 it ends with
    for line in report["indicators"]:
        assert line["progress"][-1]["actual"] == line["actual"], line["indicator"]


def test_a_practice_is_reported_with_the_schools_that_took_it_up(database, in_order):
    _, schema = in_order
    with database, database.cursor() as cur:
        [practice] = reports.programme_report(cur, P, schema)["diffusion"]
    assert (practice["code"], practice["direction"], practice["school_id"],
            practice["adopting_schools"]) == ("ECO", "Экология", "S0", 1)
    assert practice["adoptions"] == [{"school_id": "S1", "adopted_on": "2024-02-14"}]
