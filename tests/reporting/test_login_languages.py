"""The login page and the session it opens, in the funder's language, on the real RabbitMQ
and PostgreSQL: the form in kk, ru or en, a refused token said in the form's language, and
a valid one opening the dashboard in that language."""

import pytest
import requests

from tests.reporting.test_service import committed, issue, seed, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def funder_web(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry, "qh", "aktobe", 2_064_199_025)
        token = issue(reporting, "qh")
        assert wait_for(lambda: committed(stack.web, token, "aktobe"))
        yield stack.web, token


def post(web, token, lang):
    return requests.post(f"{web}/v1/session", allow_redirects=False, timeout=10,
                         headers={"Origin": web},
                         data={"token": token, "programme_id": "aktobe", "lang": lang})


def test_the_login_form_speaks_the_asked_language_and_says_where_a_token_comes_from(
        funder_web):
    web, _ = funder_web
    ru = requests.get(f"{web}/v1/login?programme_id=aktobe&lang=ru", timeout=10)
    assert ru.status_code == 200 and '<html lang="ru">' in ru.text
    assert "Откуда берётся токен?" in ru.text and "baqylau token issue" in ru.text
    plain = requests.get(f"{web}/v1/login?programme_id=aktobe", timeout=10).text
    assert '<html lang="kk">' in plain and "Токен қайдан алынады?" in plain


def test_a_refused_token_is_said_in_the_forms_language_and_a_good_one_keeps_it(funder_web):
    web, token = funder_web
    refused = post(web, "not-a-token", "en")
    assert refused.status_code == 401
    assert "The token is not valid, or has been revoked." in refused.text
    assert '<html lang="en">' in refused.text
    opened = post(web, token, "ru")
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/v1/dashboard/aktobe?lang=ru"
    page = requests.get(f"{web}{opened.headers['Location']}", timeout=30,
                        cookies={"baqylau_session": opened.cookies["baqylau_session"]})
    assert page.status_code == 200 and '<html lang="ru">' in page.text
    assert 'href="/v1/programmes/aktobe/report.pdf?lang=ru"' in page.text
