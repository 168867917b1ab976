"""The funders' HTTP API fuzzed by schemathesis from the OpenAPI document the service serves,
against a running reporting service on the real broker and PostgreSQL with a funder's
data in it: no 5xx, and every answer conforms to the document (status, content type,
body schema), with a valid token, a forged one and none."""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from services.reporting.api.openapi import document
from tests.reporting.test_service import committed, seed, wait_for

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_HTTP_EXAMPLES", "100"))  # per operation, 3 tokens each
SCHEMA = schemathesis.openapi.from_dict(document())
PROGRAMME = "fuzz-programme"


@pytest.fixture
def funder_api(stack):
    registry = stack("registry")
    reporting = stack("reporting")
    with registry as registry_rpc, reporting as reporting_rpc:
        seed(registry_rpc, "fuzz-funder", PROGRAMME, 1_000_000)
        token = wait_for(lambda: _token(reporting_rpc))
    assert wait_for(lambda: committed(stack.web, token, PROGRAMME))
    return stack.web, token


def _token(reporting):
    try:
        return reporting.issue_token(funder_id="fuzz-funder")["token"]
    except Exception:  # noqa: BLE001 - the funder has not reached the read model yet
        return None


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_answer_breaks_the_published_contract(case, funder_api):
    web, token = funder_api
    if "programme_id" in (case.path_parameters or {}) and case.path_parameters[
            "programme_id"] == "":
        case.path_parameters["programme_id"] = PROGRAMME
    for auth in (f"Bearer {token}", f"Bearer {token[:-1]}x", None):
        headers = {"Authorization": auth} if auth else {}
        case.call_and_validate(base_url=web, headers=headers)


def test_oversize_request_lines_and_headers_are_refused_not_served(funder_api):
    web, token = funder_api
    long_path = requests.get(f"{web}/v1/programmes/{'x' * 20_000}/report",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert 400 <= long_path.status_code < 500
    huge_header = requests.get(f"{web}/v1/programmes",
                               headers={"Authorization": f"Bearer {'y' * 100_000}"},
                               timeout=10)
    assert 400 <= huge_header.status_code < 500
