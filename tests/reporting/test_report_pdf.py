"""The report to print: GET /v1/programmes/{id}/report.pdf, made on the server over the real
RabbitMQ and PostgreSQL. Its text, read back, carries the report's figures, and every page
says the programme, the moment and whether the figures are approved, and is numbered."""

import io
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import requests
from pypdf import PdfReader

from services.reporting.api.render import pdf
from services.reporting.figures import catalogue
from services.reporting.figures.moments import KAZAKHSTAN
from tests.equipment.test_service import BINS, SCHOOL
from tests.reporting.test_approvals import approve
from tests.reporting.test_service import committed, get, issue, wait_for

pytestmark = pytest.mark.integration
PROGRAMME = "aktobe-print"
NAMES = {"kk": "Ақтөбе: шағын мектептерге ұстаз, әріптес, үміт, Һ-іңғ",
         "en": "Aktobe small schools"}


def pages(response):
    """Each page's text, its spaces made plain (numbers are written 2 064 199 025)."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [re.sub(r"[\s\u202f\u00a0]+", " ", page.extract_text()) for page in reader.pages]


def seed(registry):
    registry.register_funder(funder_id="qh", name_kk="Қазақстан халқына",
                             name_ru="Казахстан халкына", name_en="Kazakhstan Khalkyna",
                             organisation_type="60")
    registry.register_funder(funder_id="akimat", name_kk="Әкімдік", name_ru="Акимат",
                             organisation_type="11")
    registry.register_funder(funder_id="other", name_kk="Басқа", name_ru="Другой",
                             organisation_type="60")
    registry.launch_programme(programme_id=PROGRAMME, name_kk=NAMES["kk"],
                              name_ru="Актобе", name_en=NAMES["en"], regions=["15"],
                              start="2023-01-01", end="2024-12-31",
                              models=["digital_solutions"], budget_kzt=4_063_255_771)
    registry.launch_programme(programme_id="elsewhere", name_kk="Басқа", name_ru="Другая",
                              regions=["15"], start="2023-01-01", end="2024-12-31",
                              models=["digital_solutions"], budget_kzt=100)
    registry.commit_funding(programme_id=PROGRAMME, funder_id="qh", commitment_id="qh-1",
                            scope="equipment", amount_kzt=2_064_199_025,
                            committed_on="2023-02-01")
    registry.commit_funding(programme_id="elsewhere", funder_id="other",
                            commitment_id="other-1", scope="training", amount_kzt=5,
                            committed_on="2023-02-01")
    registry.assign_funder_role(programme_id=PROGRAMME, funder_id="akimat",
                                role="implementing")
    registry.set_target(programme_id=PROGRAMME, indicator="organisations_reached",
                        measure="unit", ascending=True, baseline={"year": 2023, "value": "0"},
                        periods=[{"start": "2023-01-01", "end": "2024-12-31",
                                  "target": "3"}])
    for n, school in enumerate(BINS[:2]):
        registry.register_organisation(organisation_id=f"S-{n}", bin=school, pupils=45,
                                       **{k: v for k, v in SCHOOL.items() if k != "bin"})
        registry.join_programme(programme_id=PROGRAMME, organisation_id=f"S-{n}",
                                model="digital_solutions", joined_on="2023-02-01")


def reached(web, token):
    body = get(web, f"/v1/programmes/{PROGRAMME}/report", token).json()
    return {i["indicator"]: i["actual"] for i in body.get("indicators", [])}.get(
        "organisations_reached")


def test_the_pdf_carries_the_figures_and_on_every_page_the_moment_and_the_status(stack):
    path = f"/v1/programmes/{PROGRAMME}/report.pdf"
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry)
        funder, partner = issue(reporting, "qh"), issue(reporting, "akimat")
        assert wait_for(lambda: reached(stack.web, funder) == 2)
        english = pages(get(stack.web, f"{path}?lang=en", funder))
        text = " ".join(english)
        assert NAMES["en"] in text and "2 064 199 025" in text  # committed, in the money
        assert catalogue.label("organisations_reached", "en") in text
        assert re.search(r"organisations? reached.{0,80}\b3\b", text, re.I | re.S)
        for number, page in enumerate(english, start=1):
            assert NAMES["en"] in page and "Figures as of 20" in page
            assert "Preliminary figures: not yet approved by the implementing partner" in page
            assert f"Page {number} of {len(english)}" in page
        kazakh = pages(get(stack.web, f"{path}?lang=kk", funder))
        assert all(NAMES["kk"] in page and "(UTC+5) жағдайы бойынша" in page
                   for page in kazakh)
        assert f"Бет {len(kazakh)} / {len(kazakh)}" in kazakh[-1]

        time.sleep(1.1)  # the approved moment is over, after everything recorded so far
        moment = (datetime.now(UTC) - timedelta(seconds=0.5)).isoformat()
        assert approve(stack.web, partner, PROGRAMME, up_to=moment).status_code == 201
        approved = pages(get(stack.web, f"{path}?lang=en", funder))
        assert all("Indicators with targets and money totals approved by akimat, figures up"
                   " to 20" in page and "unchanged since" in page for page in approved)
        registry.commit_funding(programme_id=PROGRAMME, funder_id="qh", commitment_id="qh-2",
                                scope="training", amount_kzt=1_000, committed_on="2023-03-01")
        assert wait_for(lambda: committed(stack.web, funder, PROGRAMME) == 2_064_200_025)
        changed = pages(get(stack.web, f"{path}?lang=en", funder))
        assert all("Indicators with targets and money totals last approved by akimat" in page
                   and "changed since: 2" in page for page in changed)  # committed, remaining
        assert "2 064 200 025" in " ".join(changed)


def test_the_pdf_is_the_funders_only_and_its_arguments_are_checked(stack):
    path = f"/v1/programmes/{PROGRAMME}/report.pdf"
    with stack("reporting") as reporting, stack("registry") as registry:
        seed(registry)
        funder, other = issue(reporting, "qh"), issue(reporting, "other")
        assert wait_for(lambda: reached(stack.web, funder) == 2)
        assert get(stack.web, path).status_code == 401
        assert get(stack.web, path, other).status_code == 404
        assert get(stack.web, "/v1/programmes/nothing/report.pdf", funder).status_code == 404
        wrong = get(stack.web, f"{path}?lang=de", funder)
        assert wrong.status_code == 400 and "lang" in wrong.json()["errors"]
        late = get(stack.web, f"{path}?as_of=soon", funder)
        assert late.status_code == 400 and "as_of" in late.json()["errors"]
        assert get(stack.web, f"{path}?as_of=2020-01-01", funder).status_code == 404
        time.sleep(1.1)
        moment = datetime.now(UTC) - timedelta(seconds=0.5)
        past = pages(get(stack.web, f"{path}?lang=en&as_of={quote(moment.isoformat())}",
                         funder))
        shown = moment.astimezone(KAZAKHSTAN).strftime("%Y-%m-%d %H:%M")
        assert all(f"Figures as of {shown} (UTC+5)" in page
                   and "as recorded by that moment" in page for page in past)
        assert f"as of {moment.isoformat()}" in past[0]  # the dashboard's line, as asked
        # The dashboard's session opens it too: the dashboard links to it.
        browser = requests.Session()
        login = browser.post(f"{stack.web}/v1/session", allow_redirects=False, timeout=10,
                             data={"token": funder, "programme_id": PROGRAMME})
        assert login.status_code == 303
        assert pages(browser.get(f"{stack.web}{path}?lang=en", timeout=60))


@pytest.mark.parametrize(("lang", "approved", "changed"), [
    ("kk", "Мақсаты бар көрсеткіштер мен қаржы қорытындыларын Әкімдік бекітті",
     "қаржы қорытындыларын соңғы рет Әкімдік бекітті"),
    ("ru", "Показатели с целевыми значениями и итоги по финансам утвердил Акимат",
     "итоги по финансам последний раз утвердил Акимат"),
    ("en", "Indicators with targets and money totals approved by Akimat",
     "money totals last approved by Akimat")])
def test_the_footer_says_only_the_targeted_indicators_and_money_totals_were_approved(
        lang, approved, changed):
    # approvals.snapshot fixes those figures alone: the rest of the page was never approved.
    commitment = {"funder_id": "akimat", "funder_name_kk": "Әкімдік", "funder_name_ru": "Акимат",
                  "funder_name_en": "Akimat"}
    report = {"money": {"commitments": [commitment]},
              "approval": {"approved_by": "akimat", "up_to": "2024-06-30T19:00:00+00:00"}}
    assert pdf.status_line(report, lang).startswith(approved)
    report["approval"]["changes"] = [{"figure": "committed_kzt"}]
    assert changed in pdf.status_line(report, lang)
