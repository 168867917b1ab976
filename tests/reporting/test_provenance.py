"""Who recorded each event, kept by the read model: beside every event behind a figure, in
the dashboard's audit view (counted by system, with the imported files), and the registry's
grants to the systems, listed for the programmes they cover."""

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.api import schemas
from services.reporting.api.render import dashboard, trends, words
from services.reporting.figures import behind, provenance, reports
from services.reporting.ingest import projections
from shared.contracts.envelope import Envelope, parse_envelope, source_of
from tests.conftest import ROOT
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import P

pytestmark = pytest.mark.integration

FILE, DIGEST = "completions-2023-09.csv", "9f" * 32
SHOTS = ROOT / ".stack" / "screenshots"


def as_sent(envelope, **provenance_):
    """The envelope as a command would have stored it, and as it crosses the broker."""
    return parse_envelope(dataclasses.replace(envelope, **provenance_).to_message())


def recorded(events):
    """The stream as if the academy had imported its completions from a file and sent its
    enrolments one by one; the registry's and the others' events name no one, as before."""
    out = []
    for e in events:
        if e.type == "TrainingCompleted":
            e = as_sent(e, recordedby="academy", sourcefile=FILE, sourcesha256=DIGEST)
        elif e.type in ("ParticipantEnrolled", "TrainingDropped"):
            e = as_sent(e, recordedby="academy")
        out.append(e)
    return out


def grant(nid, principal, programmes, minutes, role="academy"):
    return Envelope(source=source_of("registry"), type="AccessGranted",
                    time=datetime(2024, 1, 1, 4, tzinfo=UTC) + timedelta(minutes=minutes),
                    subject="access-list", schemaversion=1, notificationid=nid,
                    subjectversion=nid, recordedby="operators",
                    data={"principal": principal, "role": role, "programmes": programmes,
                          "granted_by": "operators"})


def revoke(nid, principal, minutes):
    return Envelope(source=source_of("registry"), type="AccessRevoked",
                    time=datetime(2024, 1, 1, 4, tzinfo=UTC) + timedelta(minutes=minutes),
                    subject="access-list", schemaversion=1, notificationid=nid,
                    subjectversion=nid, recordedby="operators",
                    data={"principal": principal, "revoked_by": "operators"})


GRANTS = [grant(9001, "academy", [P], 0), grant(9002, "ejournal", ["*"], 1, "school-data"),
          grant(9003, "elsewhere", ["other-programme"], 2, "finance"),
          grant(9004, "academy", ["other-programme"], 3), revoke(9005, "ejournal", 4)]


@pytest.fixture(scope="module")
def model(database, events):
    schema = fresh_schema(database)
    projections.handle_batch(database, recorded(events) + GRANTS, schema)
    return schema


def every_event(cur, schema, figure):
    lines, after = [], 0
    while after is not None:
        page = behind.page(cur, schema, P, figure, after, 2)
        lines, after = lines + page["events"], page["next_after"]
    return lines


def test_an_event_names_beside_it_who_recorded_it_and_the_file_it_came_in(database, model):
    with database, database.cursor() as cur:
        completions = every_event(cur, model, "teachers_trained")
        page = behind.page(cur, model, P, "teachers_trained", 0, 10)
    assert completions and {(e["type"], e["recorded_by"]) for e in completions} == {
        ("TrainingCompleted", "academy")}
    assert all(e["imported_from"] == {"file": FILE, "sha256": DIGEST} for e in completions)
    # as the endpoint sends it, and as its OpenAPI document describes it
    sent = schemas.FigureEvents().dump({"programme_id": P, "indicator": "teachers_trained",
                                        **page})
    assert sent["events"][0]["recorded_by"] == "academy"
    assert sent["events"][0]["imported_from"] == {"file": FILE, "sha256": DIGEST}
    assert schemas.FigureEvents().validate(sent) == {}


def test_an_event_stored_before_senders_were_kept_names_no_one(database, model):
    with database, database.cursor() as cur:
        commitments = every_event(cur, model, "committed_kzt")
        page = behind.page(cur, model, P, "committed_kzt", 0, 10)
    assert commitments and all((e["recorded_by"], e["imported_from"]) == (None, None)
                               for e in commitments)
    sent = schemas.FigureEvents().dump({"programme_id": P, "indicator": "committed_kzt",
                                        **page})
    assert (sent["events"][0]["recorded_by"], sent["events"][0]["imported_from"]) == (None, None)
    assert schemas.FigureEvents().validate(sent) == {}


def test_each_figure_counts_its_events_by_the_system_that_recorded_them(database, model):
    with database, database.cursor() as cur:
        who = provenance.recorders(cur, model, P, ["teachers_trained", "committed_kzt",
                                                   "teachers_with_category_share"])
        trained = reports.figures(cur, P, model)["teachers_trained"]
        counts = {figure: behind.page(cur, model, P, figure, 0, 1)["count"] for figure in who}
    assert who["teachers_trained"] == [{"recorded_by": "academy", "events": trained,
                                        "files": 1}]
    assert who["committed_kzt"] == [{"recorded_by": None, "events": 1, "files": 0}]
    # together, every event the figure's endpoint lists (a percentage's, of both parts)
    assert {figure: sum(w["events"] for w in by) for figure, by in who.items()} == counts


def test_grants_and_revocations_are_kept_for_the_programmes_they_cover(database, model):
    assert projections.handle_batch(database, GRANTS, model) == []  # again: nothing new
    with database, database.cursor() as cur:
        changes = [c for c in provenance.access_changes(cur, model, P)
                   if not c["principal"].startswith("stream-")]  # the stream's own grants
    assert [(c["principal"], c["granted"], c["covers"], c["changed_by"]) for c in changes] == [
        ("academy", True, "this", "operators"), ("ejournal", True, "all", "operators"),
        ("academy", True, "other", "operators"), ("ejournal", False, None, "operators")]
    # a system never granted this programme is not shown, nor the other programme's name
    assert "elsewhere" not in {c["principal"] for c in changes}


def audit_page(database, model, lang):
    """The dashboard as browser.py draws it (no daily series: the audit view's trends are
    empty, who recorded is not)."""
    with database, database.cursor() as cur:
        report = reports.programme_report(cur, P, model)
        recorded_ = provenance.of_programme(cur, model, P, trends.audited(report))
    return dashboard.page(report, [], lang, {}, recorded_)


@pytest.mark.parametrize("lang", dashboard.LANGUAGES)
def test_the_audit_view_shows_who_recorded_each_figure_and_the_grants(database, model, lang):
    page = audit_page(database, model, lang)
    audit = page[page.index(words.label("trends", lang)):]
    assert 'data-figure="recorded:teachers_trained:academy" data-value="2"' in audit
    # the cabinets' events were stored by equipment on its own: they name no one
    assert 'data-figure="recorded:cabinets_commissioned:-" data-value="2"' in audit
    assert "committed_kzt" not in audit  # the audit view follows the targeted figures
    for key in ("who_recorded", "system", "events", "files", "who_note", "unrecorded",
                "access", "granted_this", "granted_all", "granted_other", "revoked"):
        assert words.label(key, lang) in audit, key
    assert words.role_name("school-data", lang) in audit
    assert "<code>ejournal</code>" in audit and "elsewhere" not in audit
    assert "2024-01-01 09:00" in audit  # the grant's time in Kazakhstan (UTC+5)


def test_the_audit_view_reads_well_in_a_browser(database, model, tmp_path):
    """The page in headless Chromium, as a funder sees it: what it shows of who recorded,
    and a screenshot of the audit view (saved under .stack/screenshots)."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("no chromium (make browser)")
    from tests.reporting.browser import chromium, figures

    for lang in dashboard.LANGUAGES:
        html = audit_page(database, model, lang)
        page = tmp_path / f"audit-{lang}.html"
        page.write_text(html, encoding="utf-8")
        with chromium() as browser:
            browser.get(page.as_uri())
            shown = figures(browser)
            assert shown["recorded:teachers_trained:academy"] == "2"
            heading = browser.find_element(
                "xpath", f"//h2[normalize-space()='{words.label('trends', lang)}']")
            browser.execute_script("arguments[0].scrollIntoView()", heading)
            SHOTS.mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(SHOTS / f"audit-view-{lang}.png"))
