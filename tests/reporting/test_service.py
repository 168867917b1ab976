"""The reporting service in a nameko container with the registry, over the real RabbitMQ
and PostgreSQL: live events, catch-up of an empty database, dead letters, access."""

import json
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import eventlet
import kombu
import pytest
import requests

from services.reporting.api import schemas
from services.reporting.figures.catalogue import CATALOGUE
from services.reporting.figures.fold import Fold
from services.reporting.ingest import logs as logs_module
from services.reporting.ingest.feed import DEAD_LETTER, send_to_dead_letters
from services.reporting.ingest.logs import read_logs
from shared.contracts.envelope import event_id
from shared.publisher import events_exchange
from tests.equipment.test_service import BINS, SCHOOL

pytestmark = pytest.mark.integration


def seed(registry, funder, programme, amount):
    registry.register_funder(funder_id=funder, name_kk="Қор", name_ru="Фонд",
                             organisation_type="60")
    registry.launch_programme(programme_id=programme, name_kk="Пилот", name_ru="Пилот",
                              regions=["15"], start="2023-01-01", end="2024-12-31",
                              models=["digital_solutions"], budget_kzt=4_063_255_771)
    registry.commit_funding(programme_id=programme, funder_id=funder,
                            commitment_id=f"{funder}-{programme}", scope="equipment",
                            amount_kzt=amount, committed_on="2023-02-01")


def wait_for(check, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return check()


def get(web, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{web}{path}", headers=headers, timeout=10)


def committed(web, token, programme):
    response = get(web, f"/v1/programmes/{programme}/report", token)
    return response.status_code == 200 and response.json()["money"]["committed_kzt"]


def issue(reporting, funder):
    return wait_for(lambda: _try_issue(reporting, funder))["token"]


def _try_issue(reporting, funder):
    try:
        return reporting.issue_token(funder_id=funder)
    except Exception:  # noqa: BLE001 - the funder is not in the read model yet
        return None


def test_live_events_reach_the_funders_report(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 2_064_199_025)
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 2_064_199_025
        csv = get(stack.web, "/v1/programmes/aktobe/report?format=csv", token)
        assert "2064199025" in csv.text and csv.headers["Content-Type"].startswith("text/csv")
        report = get(stack.web, "/v1/programmes/aktobe/report", token).json()
        assert schemas.ProgrammeReport().load(report)["money"]["committed_kzt"] == 2_064_199_025
        document = requests.get(f"{stack.web}/v1/openapi.json", timeout=10).json()
        assert document["openapi"].startswith("3.") and set(document["paths"]) == {
            "/v1/programmes", "/v1/programmes/{programme_id}/report",
            "/v1/programmes/{programme_id}/districts",
            "/v1/programmes/{programme_id}/organisations",
            "/v1/programmes/{programme_id}/iati.xml", "/v1/programmes/{programme_id}/report.xlsx",
            "/v1/programmes/{programme_id}/report.pdf",
            "/v1/programmes/{programme_id}/figures/{indicator}/events",
            "/v1/programmes/{programme_id}/approvals"}
        assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        check = reporting.reconcile()
        assert (check["programmes"], check["differences"]) == (["aktobe"], [])
        assert check["events_read"] == 4  # funder, programme, commitment, funding role
        # Each event names who sent its command: here the tests' broker user, the operators.
        money = get(stack.web, "/v1/programmes/aktobe/figures/committed_kzt/events", token)
        assert [(e["recorded_by"], e["imported_from"]) for e in money.json()["events"]] == [
            ("guest", None)]
        # A grant is read like any event, and listed in the dashboard's audit view.
        registry.grant_access(principal="t-academy", role="academy", programmes=["aktobe"],
                              reason="the pilot's courses")
        assert wait_for(lambda: "<code>t-academy</code>" in dashboard_page(stack.web, token))
    metrics = requests.get(f"{stack.web}/metrics", timeout=10).text
    lagged = re.search(r"^baqylau_projection_lag_seconds_count (\S+)$", metrics, re.M)
    assert lagged and float(lagged.group(1)) >= 4  # every live event's lag is observed
    assert re.search(r'^baqylau_report_cache_total\{outcome="miss"\} [1-9]', metrics, re.M)


def test_drill_downs_and_exports_are_computed_once_per_state_of_the_read_model(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 100)
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 100
        paths = ["/v1/programmes/aktobe/districts", "/v1/programmes/aktobe/organisations",
                 "/v1/programmes/aktobe/iati.xml"]
        paths += ["/v1/programmes/aktobe/report.xlsx", "/v1/programmes/aktobe/report?format=csv",
                  "/v1/programmes/aktobe/districts?format=csv&lang=ru"]
        first = [get(stack.web, path, token).content for path in paths]
        hits = cache_lookups(stack.web, "fast_hit")
        # Asked again for the same state: served as rendered, after one statement.
        assert [get(stack.web, path, token).content for path in paths] == first
        assert cache_lookups(stack.web, "fast_hit") >= hits + len(paths)
        assert get(stack.web, paths[0] + "?lang=ru", token).content != first[0]
        page = dashboard_page(stack.web, token)
        hits = cache_lookups(stack.web, "fast_hit")
        assert dashboard_page(stack.web, token) == page  # a new session, the same page:
        assert cache_lookups(stack.web, "fast_hit") >= hits + 1  # after one statement
        # A new event, a new state: computed afresh, and the new money is in the export.
        registry.commit_funding(programme_id="aktobe", funder_id="qh", commitment_id="qh-2",
                                scope="programme", amount_kzt=7, committed_on="2023-03-01")
        assert wait_for(lambda: committed(stack.web, token, "aktobe") == 107)
        assert b"qh-2" in get(stack.web, paths[2], token).content
        assert dashboard_page(stack.web, token) != page  # drawn again for the new state


def dashboard_page(web, token):
    """The dashboard as a browser gets it: a session opened with the token, then the page."""
    browser = requests.Session()
    login = browser.post(f"{web}/v1/session", data={"token": token, "programme_id": "aktobe"},
                         headers={"Origin": web}, timeout=10)
    assert login.status_code == 200, login.text[:200]
    return browser.get(f"{web}/v1/dashboard/aktobe", timeout=10).text


def test_an_empty_reporting_database_fills_itself_from_the_logs(stack):
    with stack("registry") as registry:
        seed(registry, "qh", "aktobe", 1_000_000)   # published before reporting existed
        with stack("reporting") as reporting:
            token = issue(reporting, "qh")
            assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 1_000_000


def test_poison_messages_go_to_the_dead_letter_queue_and_the_stream_goes_on(stack):
    # A version newer than reporting reads waits for an upgrade (shared/reading.py); with
    # no upgrade within the deadline (2 s here, 900 s by default) it is set aside too.
    stack.reporting_config["CONTRACTS"] = {"too_new_deadline": 2, "too_new_pause": 0.2}
    with stack("reporting") as reporting, stack("registry") as registry:
        with kombu.Connection(stack.amqp) as connection:
            producer = connection.Producer()
            for body in ('{"not": "an envelope"}', json.dumps({
                    "specversion": "1.0", "id": "x", "source": "/baqylau/registry",
                    "type": "FundingCommitted", "time": "2024-01-01T00:00:00+00:00",
                    "subject": "s", "schemaversion": 99, "notificationid": 1,
                    "subjectversion": 1, "data": {}})):
                producer.publish(body, exchange=events_exchange("registry"),
                                 routing_key="FundingCommitted", content_type="application/json",
                                 content_encoding="utf-8", declare=[events_exchange("registry")])
            seed(registry, "qh", "aktobe", 500)
            token = issue(reporting, "qh")
            assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 500
            dead = kombu.Queue(DEAD_LETTER, durable=True, auto_delete=False)
            reasons = []
            with connection.SimpleQueue(dead) as queue:
                while len(reasons) < 2:
                    message = queue.get(timeout=10)
                    reasons.append(message.headers["x-baqylau-reason"])
                    message.ack()
    assert any("unreadable" in r for r in reasons)
    assert any("too new, no upgrade in 2 s" in r and "v99" in r for r in reasons)
    metrics = requests.get(f"{stack.web}/metrics", timeout=10).text
    assert 'baqylau_dead_letters_total{kind="unreadable"}' in metrics
    assert 'baqylau_contract_too_new_total{type="FundingCommitted",version="99"}' in metrics


def test_dead_letters_can_be_replayed_after_a_fix(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 1_000)
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 1_000
        # An event that a since-fixed bug had sent to the dead letters (valid contract).
        original = registry.notifications(after=0, limit=100)["items"]
        event = next(e for e in original if e["type"] == "FundingCommitted")
        event = {**event, "notificationid": 10_000, "id": event_id(event["source"], 10_000),
                 "data": {**event["data"], "commitment_id": "QH-2", "amount_kzt": 7}}
        with kombu.Connection(stack.amqp) as connection:
            send_to_dead_letters(connection.Producer(), event, "handler failed 5 times: bug",
                                 "handler_failed")
        assert reporting.replay_dead_letters(limit=10) == {"replayed": 1}
        assert wait_for(lambda: committed(stack.web, token, "aktobe") == 1_007)
        assert reporting.replay_dead_letters() == {"replayed": 0}


def test_each_token_reads_only_its_own_funders_reports(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 100)
        seed(registry, "amanat", "baquatty", 200)
        mine = issue(reporting, "qh")
        theirs = issue(reporting, "amanat")
        revoked = reporting.issue_token(funder_id="qh")
        reporting.revoke_token(token_id=revoked["token_id"])
        assert wait_for(lambda: committed(stack.web, theirs, "baquatty")) == 200
        assert wait_for(lambda: committed(stack.web, mine, "aktobe")) == 100
        paths = ["/v1/programmes/{p}/report", "/v1/programmes/{p}/report?format=csv",
                 "/v1/programmes/{p}/districts", "/v1/programmes/{p}/organisations?format=csv",
                 "/v1/programmes/{p}/iati.xml", "/v1/programmes/{p}/report.xlsx",
                 "/v1/programmes/{p}/figures/organisations_reached/events",
                 "/v1/dashboard/{p}"]
        tokens = {"none": None, "bad": "not-a-token", "revoked": revoked["token"],
                  "qh": mine, "amanat": theirs}
        owner = {"aktobe": "qh", "baquatty": "amanat", "nowhere": None}
        served_at_once = fast_hits(stack.web)
        for name, token in tokens.items():
            listing = get(stack.web, "/v1/programmes", token)
            if name in ("none", "bad", "revoked"):
                assert listing.status_code == 401
                assert listing.headers["WWW-Authenticate"].startswith("Bearer")
            else:
                assert listing.json()["programmes"] == [p for p, o in owner.items() if o == name]
            for programme, funder in owner.items():
                for path in paths:
                    status = get(stack.web, path.format(p=programme), token).status_code
                    expected = (401 if name in ("none", "bad", "revoked")
                                else 200 if funder == name else 404)
                    assert status == expected, (name, programme, path)
        # The cached JSON reports were served after one statement, and that statement
        # refuses a token revoked after its report was cached.
        assert fast_hits(stack.web) >= served_at_once + 2
        late = reporting.issue_token(funder_id="qh")
        assert get(stack.web, "/v1/programmes/aktobe/report", late["token"]).status_code == 200
        reporting.revoke_token(token_id=late["token_id"])
        assert get(stack.web, "/v1/programmes/aktobe/report", late["token"]).status_code == 401
        assert get(stack.web, "/v1/programmes/aktobe/report", mine).status_code == 200


def fast_hits(web):
    return cache_lookups(web, "fast_hit")


def cache_lookups(web, outcome):
    metrics = requests.get(f"{web}/metrics", timeout=10).text
    found = re.search(rf'^baqylau_report_cache_total\{{outcome="{outcome}"\}} (\S+)$', metrics,
                      re.M)
    return float(found.group(1)) if found else 0.0


def test_a_rebuild_switches_to_a_fresh_model_without_stopping_the_endpoints(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 2_064_199_025)
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 2_064_199_025
        seen, stop = [], []

        def keep_reading():
            while not stop:
                seen.append(committed(stack.web, token, "aktobe"))
                eventlet.sleep(0.02)

        reader = eventlet.spawn(keep_reading)
        result = reporting.rebuild()
        stop.append(True)
        reader.wait()
        assert result["replaced"] == "rm" and result["schema"].startswith("rm_")
        assert result["events_applied"] == 4
        assert seen and set(seen) == {2_064_199_025}  # every read during the rebuild answered
        assert committed(stack.web, token, "aktobe") == 2_064_199_025
        assert reporting.reconcile()["differences"] == []


def test_reports_as_of_past_moments_equal_the_events_recorded_by_then(stack, monkeypatch):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 100)
        registry.set_target(programme_id="aktobe", indicator="organisations_reached",
                            measure="unit", ascending=True,
                            baseline={"year": 2023, "value": "0"},
                            periods=[{"start": "2023-01-01", "end": "2024-12-31",
                                      "target": "3"}])
        token = issue(reporting, "qh")
        moments = []
        for stage, school in enumerate(BINS):  # each stage: more money, one more school
            if stage:
                registry.commit_funding(programme_id="aktobe", funder_id="qh",
                                        commitment_id=f"qh-{stage}", scope="programme",
                                        amount_kzt=10 * stage, committed_on="2023-03-01")
            registry.register_organisation(organisation_id=f"S-{stage}", bin=school, pupils=45,
                                           **{k: v for k, v in SCHOOL.items() if k != "bin"})
            registry.join_programme(programme_id="aktobe", organisation_id=f"S-{stage}",
                                    model="digital_solutions", joined_on="2023-02-01")
            assert wait_for(lambda s=stage: reached(stack.web, token) == s + 1)
            time.sleep(1.1)
            moments.append(datetime.now(UTC))
            time.sleep(1.1)
        logs = read_logs(stack.amqp, ("registry",))
        # Every past moment is answered from the read model: the logs are not read again.
        log_reads = []
        monkeypatch.setattr(logs_module, "read_logs",
                            lambda *args: log_reads.append(1) or read_logs(*args))
        for moment in moments:
            report = get(stack.web, f"/v1/programmes/aktobe/report?as_of="
                                    f"{quote(moment.isoformat())}", token)
            assert report.status_code == 200, report.text
            recorded = [e for e in logs if e.time <= moment]  # recomputed from the events
            fold = Fold()
            for envelope in recorded:
                fold.apply(envelope)
            body = report.json()
            assert {i["indicator"]: i["actual"] for i in body["indicators"]} == {
                "organisations_reached": CATALOGUE["organisations_reached"].count(
                    fold, "aktobe")}
            assert body["money"]["committed_kzt"] == sum(
                e.data["amount_kzt"] for e in recorded if e.type == "FundingCommitted")
        assert [reached(stack.web, token, m) for m in moments] == [1, 2, 3]
        # The events behind a figure, as of the second moment, one per page.
        path = "/v1/programmes/aktobe/figures/organisations_reached/events"
        first = get(stack.web, f"{path}?limit=1&as_of={quote(moments[1].isoformat())}",
                    token).json()
        second = get(stack.web, f"{path}?limit=1&after={first['next_after']}&as_of="
                                f"{quote(moments[1].isoformat())}", token).json()
        assert (first["figure"], first["count"]) == (2, 2) and first["next_after"]
        stale = get(stack.web, f"{path}?limit=1&after=1", token)  # an offset: no cursor
        assert stale.status_code == 400 and set(stale.json()["errors"]) == {"after"}
        assert second["next_after"] is None and log_reads == []
        joins = [first["events"][0], second["events"][0]]
        assert [(e["type"], e["fields"]["organisation_id"], e["value"]) for e in joins] == [
            ("OrganisationJoinedProgramme", "S-0", 1), ("OrganisationJoinedProgramme", "S-1", 1)]
        assert {e["recorded_by"] for e in joins} == {"guest"}  # as of then, too
        assert {e["notification_id"] for e in joins} == {
            e.notificationid for e in logs if e.type == "OrganisationJoinedProgramme"
            and e.time <= moments[1]}
        money = get(stack.web, "/v1/programmes/aktobe/figures/committed_kzt/events", token)
        assert money.json()["figure"] == 100 + 10 + 20
        assert get(stack.web, "/v1/programmes/aktobe/figures/nothing/events",
                   token).status_code == 404
        assert get(stack.web, f"{path}?limit=0", token).status_code == 400
        today = datetime.now(timezone(timedelta(hours=5))).date().isoformat()
        assert get(stack.web, f"/v1/programmes/aktobe/report?as_of={today}", token).json() \
            == get(stack.web, "/v1/programmes/aktobe/report", token).json()
        before = get(stack.web, "/v1/programmes/aktobe/report?as_of=2020-01-01", token)
        assert before.status_code == 404  # the programme did not exist yet
        bad = get(stack.web, "/v1/programmes/aktobe/report?as_of=yesterday", token)
        assert bad.status_code == 400 and "as_of" in bad.json()["errors"]
        # The token is checked first: without one, a bad as_of still gets 401.
        assert get(stack.web, "/v1/programmes/aktobe/report?as_of=yesterday").status_code == 401


def reached(web, token, moment=None):
    query = f"?as_of={quote(moment.isoformat())}" if moment else ""
    body = get(web, f"/v1/programmes/aktobe/report{query}", token).json()
    return {i["indicator"]: i["actual"] for i in body.get("indicators", [])}.get(
        "organisations_reached")


def test_a_model_built_by_an_older_version_is_rebuilt_from_the_logs_on_start(stack):
    """An upgrade: the live model has the version-1 score key, no per-year profiles and a
    past moment built the way version 4 built them (a schema of its own). Reporting re-keys
    it, drops the moment and its list, and rebuilds the model from the logs by itself; the
    figures are then whole."""
    import psycopg2

    from services.reporting.figures import moments
    from services.reporting.ingest import tables

    db = stack.reporting_config["READ_MODEL"]
    conn = psycopg2.connect(host=db["host"], port=db["port"], dbname=db["dbname"],
                            user=db["user"], password=db["password"])
    with conn, conn.cursor() as cur:  # the state an older version left behind
        cur.execute(f"CREATE TABLE {moments.BUILT_BEFORE} (schema_name text PRIMARY KEY,"
                    " moment timestamptz NOT NULL, built_at timestamptz NOT NULL DEFAULT now());"
                    f"CREATE TABLE {moments.BUILT_BEFORE}_builds (funder_id text NOT NULL,"
                    " built_at timestamptz NOT NULL DEFAULT now())")
        cur.execute("CREATE SCHEMA rm; CREATE TABLE rm.scores (round_id text, pupil_ref text,"
                    " subject text, school_id text, grade int, score int, version int NOT"
                    " NULL, PRIMARY KEY (round_id, pupil_ref, subject));"
                    f"CREATE TABLE {tables.POINTER} (id int PRIMARY KEY, schema_name text"
                    " NOT NULL); INSERT INTO reporting_read_model VALUES (1, 'rm');"
                    "CREATE SCHEMA asof_old;"
                    f"INSERT INTO {moments.BUILT_BEFORE} VALUES ('asof_old', now())")
    with stack("registry") as registry:
        seed(registry, "qh", "aktobe", 2_064_199_025)
    with stack("reporting") as reporting:
        def rebuilt():
            with conn, conn.cursor() as cur:
                cur.execute(f"SELECT schema_name, model_version FROM {tables.POINTER}")
                return cur.fetchone()
        schema, version = wait_for(lambda: rebuilt()[0] != "rm" and rebuilt(), timeout=60)
        assert version == tables.MODEL_VERSION
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe")) == 2_064_199_025
        assert reporting.reconcile()["differences"] == []
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.schemata"
                    " WHERE schema_name IN ('rm', 'asof_old')")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT to_regclass(%s)", (moments.BUILT_BEFORE,))
        assert cur.fetchone()[0] is None  # what listed the moments built before is gone
        cur.execute("SELECT count(*) FROM information_schema.key_column_usage WHERE "
                    "table_schema = %s AND table_name = 'scores'", (schema,))
        assert cur.fetchone()[0] == 5
    conn.close()
