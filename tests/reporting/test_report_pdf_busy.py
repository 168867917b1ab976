"""The PDF under load, over the real RabbitMQ and PostgreSQL: it is laid out after the
request's transaction is over, a request waits only briefly for a render slot and else is
told 503 with Retry-After (as is a render that runs too long), and meanwhile the service
goes on answering everything else."""

import time
from contextlib import closing

import eventlet
import pytest
from eventlet.semaphore import Semaphore

from services.reporting.api.render import pdf
from tests.conftest import admin_connection
from tests.reporting.test_report_pdf import PROGRAMME, pages, reached, seed
from tests.reporting.test_service import get, issue, wait_for

pytestmark = pytest.mark.integration
PATH = f"/v1/programmes/{PROGRAMME}/report.pdf"
WORKERS = 10  # nameko's default max_workers, as the stack runs it


@pytest.fixture
def funder(stack):
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry)
        token = issue(reporting, "qh")
        assert wait_for(lambda: reached(stack.web, token) == 2)
        yield token


def assert_unavailable(response, reason):
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "unavailable"
    assert response.json()["reason"] == reason
    assert int(response.headers["Retry-After"]) > 0


def test_with_every_render_slot_taken_a_pdf_is_a_503_soon_and_the_rest_is_answered(
        stack, funder, monkeypatch):
    monkeypatch.setattr(pdf, "_renders", Semaphore(0))  # every slot taken, for good
    monkeypatch.setattr(pdf, "SLOT_WAIT_SECONDS", 0.5, raising=False)
    began = time.monotonic()
    pool = eventlet.GreenPool()
    asked = [pool.spawn(get, stack.web, f"{PATH}?lang={lang}", funder)
             for lang in ("kk", "ru", "en") for _ in range(WORKERS // 2)]
    eventlet.sleep(0.2)  # the PDFs are in: more of them than the service has workers
    report = get(stack.web, f"/v1/programmes/{PROGRAMME}/report", funder)
    assert report.status_code == 200 and report.json()["programme_id"] == PROGRAMME
    for answer in asked:
        assert_unavailable(answer.wait(), "pdf_busy")
    assert time.monotonic() - began < 8


def test_a_render_that_runs_too_long_is_a_503_and_the_next_request_gets_the_pdf(
        stack, funder, monkeypatch):
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 0.01)
    assert_unavailable(get(stack.web, f"{PATH}?lang=en", funder), "pdf_timeout")
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 120)
    assert pages(get(stack.web, f"{PATH}?lang=en", funder))  # the failure was not kept


def test_the_pdf_is_laid_out_after_the_requests_transaction_is_over(stack, funder,
                                                                     monkeypatch):
    database = stack.reporting_config["READ_MODEL"]["dbname"]
    open_while_rendering = []

    def render(html):
        # Transactions on the read model that began before the layout and are still
        # open after it has run a while: the request's own, if it were kept open.
        with closing(admin_connection()) as conn, conn.cursor() as cur:
            cur.execute("SELECT clock_timestamp()")
            layout_began = cur.fetchone()[0]
            eventlet.sleep(0.3)
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                        " AND xact_start < %s", (database, layout_began))
            open_while_rendering.append(cur.fetchone()[0])
        return b"%PDF-1.7 laid out"

    monkeypatch.setattr(pdf, "render", render)
    response = get(stack.web, f"{PATH}?lang=ru", funder)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 laid out"
    assert open_while_rendering == [0]
