"""Approved periods: only the programme's implementing partner approves its figures up to a
moment; the report then shows the approved figures beside today's preliminary ones, with
each figure that changed since and the events behind the change."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.reporting.test_service import committed, get, issue, seed, wait_for

pytestmark = pytest.mark.integration


def approve(web, token, programme, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{web}/v1/programmes/{programme}/approvals", json=body,
                         headers=headers, timeout=30)


def test_only_the_implementing_partner_approves_and_the_report_shows_what_changed_since(
        stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 100)
        seed(registry, "amanat", "baquatty", 200)
        registry.register_funder(funder_id="akimat", name_kk="Әкімдік", name_ru="Акимат",
                                 organisation_type="11")
        registry.assign_funder_role(programme_id="aktobe", funder_id="akimat",
                                    role="implementing")
        funder, partner, other = (issue(reporting, f) for f in ("qh", "akimat", "amanat"))
        assert wait_for(lambda: committed(stack.web, partner, "aktobe")) == 100
        time.sleep(1.1)  # the approved moment is over, and after everything recorded so far
        moment = (datetime.now(UTC) - timedelta(seconds=0.5)).isoformat()
        assert approve(stack.web, None, "aktobe", up_to=moment).status_code == 401
        assert approve(stack.web, other, "aktobe", up_to=moment).status_code == 404
        refused = approve(stack.web, funder, "aktobe", up_to=moment)
        assert refused.status_code == 403 and "Authorization" in refused.json()["errors"]
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        early = approve(stack.web, partner, "aktobe", up_to=tomorrow)
        assert early.status_code == 400 and set(early.json()["errors"]) == {"up_to"}
        junk = approve(stack.web, partner, "aktobe", up_to="soon", note="x" * 501)
        assert junk.status_code == 400 and set(junk.json()["errors"]) == {"up_to", "note"}
        assert get(stack.web, "/v1/programmes/aktobe/report", partner).json()[
            "approval"] is None  # nothing refused was stored
        done = approve(stack.web, partner, "aktobe", up_to=moment, note="Q1 checked")
        assert done.status_code == 201, done.text
        assert (done.json()["approved_by"], done.json()["figures"]["committed_kzt"]) == (
            "akimat", 100)
        # After the approval, another commitment: preliminary moves, approved does not.
        registry.commit_funding(programme_id="aktobe", funder_id="qh", commitment_id="qh-2",
                                scope="training", amount_kzt=20, committed_on="2023-03-01")
        assert wait_for(lambda: committed(stack.web, funder, "aktobe") == 120)
        report = get(stack.web, "/v1/programmes/aktobe/report", funder).json()
        assert report["status"] == "preliminary" and report["money"]["committed_kzt"] == 120
        approval = report["approval"]
        assert (approval["up_to"][:19], approval["note"]) == (moment[:19], "Q1 checked")
        [change] = [c for c in approval["changes"] if c["figure"] == "committed_kzt"]
        assert (change["approved"], change["preliminary"], change["events_since"]) == (
            100, 120, 1)
        assert change["events"][0]["type"] == "FundingCommitted"
        assert change["events"][0]["fields"]["commitment_id"] == "qh-2"
        # Another funder of the programme sees it too; a past moment's report has none.
        assert get(stack.web, "/v1/programmes/baquatty/report", other).json()[
            "approval"] is None
