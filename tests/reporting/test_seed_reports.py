"""The seed funders' reports carry the seeds' figures, end to end over the real servers:
registry, training and equipment load the seeds through RPC; reporting reads their events;
each funder fetches its report over HTTP with its own token, and sees the same figures on
its dashboard in a headless Chromium in each language (screenshots of the screen and of
print, and the page printed to PDF, are saved under .stack/screenshots; the test prints
where)."""

import json
import re
from types import SimpleNamespace

import eventlet
import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy

from scripts import load_assessment, load_equipment, load_registry, seed_development
from scripts import load_training as load_academies
from scripts.demo import load_training
from services.assessment.service import AssessmentService
from services.equipment.service import EquipmentService
from services.registry.service import RegistryService
from services.reporting.api.render.words import LABELS, subject_name
from services.reporting.figures import daily
from services.reporting.service import ReportingService
from services.training.service import TrainingService
from tests.conftest import ROOT, config_for
from tests.reporting.browser import as_printed, chromium, figures, log_in, pdf_pages, screenshots

pytestmark = pytest.mark.integration
SHOTS = ROOT / ".stack" / "screenshots"


def test_seed_funders_reports_carry_the_seed_figures(container_factory, rabbit_config,
                                                     pg_databases):
    configs = {name: config_for(rabbit_config, pg_databases(), batch_size=500)
               for name in ("registry", "training", "equipment", "assessment")}
    configs["assessment"]["PSEUDONYM_KEY"] = "seed-reports-test-pseudonym-key"
    store = pg_databases()
    configs["reporting"] = config_for(rabbit_config, None, READ_MODEL={
        **{k: store[k] for k in ("host", "port", "dbname", "user", "password")},
        "catch_up_interval": 2, "sources": ["registry", "training", "equipment", "assessment"]})
    for name, cls in (("reporting", ReportingService), ("registry", RegistryService),
                      ("training", TrainingService), ("equipment", EquipmentService),
                      ("assessment", AssessmentService)):
        container_factory(cls, configs[name]).start()
    clients = {name: ServiceRpcProxy(name, configs[name]) for name in configs}
    rpc = SimpleNamespace(**{name: client.start() for name, client in clients.items()})
    try:
        load_equipment.set_rule(rpc)
        load_registry.load(rpc)
        seed_development.load(rpc)
        load_equipment.load(rpc)
        load_equipment.load_spending(rpc)
        load_assessment.load(rpc)
        load_training(rpc)
        load_academies.load(rpc)
        web = f"http://{configs['reporting']['WEB_SERVER_ADDRESS']}"
        tokens = {}

        def report(funder, programme, until):
            token = tokens[funder] = rpc.reporting.issue_token(funder_id=funder)["token"]
            for _ in range(60):  # until the live feed has it all; catch-up is the backstop
                body = requests.get(f"{web}/v1/programmes/{programme}/report", timeout=10,
                                    headers={"Authorization": f"Bearer {token}"}).json()
                figures = {i["indicator"]: i["actual"] for i in body.get("indicators", [])}
                if all(figures.get(k) == v for k, v in until.items()):
                    return figures, body["money"]
                eventlet.sleep(1)
            raise AssertionError(body)

        baquatty, _ = report("amanat", "baquatty-audan", {"teachers_trained": 500})
        assert (baquatty["teachers_trained"], baquatty["management_teams_trained"],
                baquatty["trainers_certified"]) == (500, 90, 40)
        aktobe, money = report("qazaqstan-halqyna", "aktobe-small-schools", {
            "cabinets_commissioned": 155, "teachers_trained": 576,
            "teachers_with_category_share": 70.0})
        assert (aktobe["schools_equipped"], aktobe["cabinets_commissioned"]) == (134, 155)
        # 60 % of the 600 small-school teachers held a category; 60 more were attested.
        share = next(i for i in requests.get(
            f"{web}/v1/programmes/aktobe-small-schools/report", timeout=10,
            headers={"Authorization": f"Bearer {tokens['qazaqstan-halqyna']}"}).json()[
                "indicators"] if i["indicator"] == "teachers_with_category_share")
        assert (share["measure"], share["numerator"], share["denominator"], share["baseline"],
                share["target"], share["share_reached"]) == (
            "percentage", 420, 600, "60", "75", "0.933")
        fund = next(c for c in money["commitments"] if c["funder_id"] == "qazaqstan-halqyna")
        assert (fund["committed_kzt"], fund["disbursed_kzt"], fund["procured_kzt"],
                fund["remaining_kzt"]) == (2_064_199_025, 2_064_199_025, 2_064_199_025, 0)
        # The akimat's commitment paid for the teachers' courses and the assessment.
        akimat = next(c for c in money["commitments"] if c["funder_id"] == "akimat-aktobe")
        assert (akimat["expenditure_kzt"], akimat["remaining_kzt"]) == (
            171_300_000, 1_999_056_746 - 171_300_000)
        # Paid out in two tranches, 60 % and 30 % of the commitment (the seed's, illustrative).
        assert akimat["disbursed_kzt"] == 1_999_056_746 * 60 // 100 + 1_999_056_746 * 30 // 100
        assert money["spent_by_category"] == {"administration": 21_000_000,
                                              "assessment": 54_300_000, "seminars": 96_000_000}
        aktobe_sections(web, tokens["qazaqstan-halqyna"])
        uralsk, _ = report("akimat-west-kazakhstan", "uralsk-accelerator",
                           {"teachers_trained": 910})
        uralsk_development(web, tokens["akimat-west-kazakhstan"])
        assert (uralsk["teachers_trained"], uralsk["management_teams_trained"],
                uralsk["organisations_reached"]) == (910, 85, 85)
        league, _ = report("akimat-kyzylorda", "kyzylorda-partner-directors",
                           {"practices_adopted": 100})
        see_the_diffusion(web, tokens["akimat-kyzylorda"], "kyzylorda-partner-directors")
        # 110 adoptions by 100 distinct schools: the league's target counts schools.
        assert (league["managers_trained"], league["practices_published"],
                league["practices_adopted"]) == (30, 20, 100)
        assert rpc.reporting.reconcile()["differences"] == []
        districts_by_name(web, tokens["qazaqstan-halqyna"], "aktobe-small-schools")
        see_the_dashboard(web, tokens["qazaqstan-halqyna"], "aktobe-small-schools")
        for funder, programme in (("qazaqstan-halqyna", "aktobe-small-schools"),
                                  ("amanat", "baquatty-audan")):
            every_figure_sums_its_events(web, tokens[funder], programme)
    finally:
        for client in clients.values():
            client.stop()


def aktobe_sections(web, token):
    """What a funder reads beyond the indicators: the cabinets' working state as the
    equipment seed made it, money line by line, and no share rounded up to a target met."""
    body = requests.get(f"{web}/v1/programmes/aktobe-small-schools/report", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).json()
    cabinets = body["cabinets"]
    assert (cabinets["commissioned"], cabinets["faults_reported"], cabinets["faults_open"],
            cabinets["cabinets_below_need"], cabinets["internet_need_mbps"]) == (
        155, 9, 2, 78, "10")
    # A cabinet with an open fault is not working (two faults may share one cabinet).
    assert 155 - cabinets["faults_open"] <= cabinets["working"] < 155
    akimat = next(c for c in body["money"]["commitments"] if c["funder_id"] == "akimat-aktobe")
    assert akimat["held_by_implementer_kzt"] == akimat["disbursed_kzt"] - akimat["spent_kzt"]
    assert akimat["spent_by_category"] == {"administration": 21_000_000,
                                           "assessment": 54_300_000, "seminars": 96_000_000}
    pupils = next(i for i in body["indicators"] if i["indicator"] == "pupils_reached")
    assert (pupils["actual"], pupils["target"], pupils["share_reached"]) == (
        10_486, "10500", "0.999")


def uralsk_development(web, token):
    """Uralsk's schools' strategies, projects and partners, as the seed files sent them."""
    body = requests.get(f"{web}/v1/programmes/uralsk-accelerator/report", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).json()
    development = body["development"]
    assert (development["strategies_adopted"], development["projects"],
            development["memoranda"]) == (29, 60, 41)
    assert sum(len(o["partners"]) for o in development["organisations"]) == 41


def districts_by_name(web, token, programme):
    """The shipped KATO extract, loaded through the importer, names every one of Aktobe's
    districts the seeded schools are in, in each language (Irgiz and Oiyl among them)."""
    from scripts.seed_registry import AKTOBE_DISTRICTS

    auth = {"Authorization": f"Bearer {token}"}
    for lang, alga, irgiz, aktobe in (
            ("kk", "Алға ауданы", "Ырғыз ауданы", "Ақтөбе облысы"),
            ("ru", "Алгинский район", "Иргизский район", "Актюбинская область"),
            ("en", "Alga district", "Irgiz district", "Aktobe Region")):
        lines = requests.get(f"{web}/v1/programmes/{programme}/districts?lang={lang}",
                             headers=auth, timeout=30).json()["districts"]
        names = {line["district_code"]: (line["district_name"], line["name_known"])
                 for line in lines}
        assert names["1532"] == (alga, True) and names["1568"] == (irgiz, True)
        assert set(names) == set(AKTOBE_DISTRICTS)
        assert all(known and name for name, known in names.values())
        assert {(line["region_code"], line["region_name"], line["region_name_known"])
                for line in lines} == {("15", aktobe, True)}
    wrong = requests.get(f"{web}/v1/programmes/{programme}/districts?lang=de", headers=auth,
                         timeout=30)
    assert wrong.status_code == 400 and "lang" in wrong.text


def see_the_diffusion(web, token, programme):
    """The league's 20 practices with their 110 adoptions by 100 distinct schools, and the
    month-by-month line of adopting schools reaching 100, on the page as in the JSON, in
    each language."""
    report = requests.get(f"{web}/v1/programmes/{programme}/report", timeout=30,
                          headers={"Authorization": f"Bearer {token}"}).json()
    spread = report["diffusion"]
    assert len(spread) == 20 and sum(len(p["adoptions"]) for p in spread) == 110
    adopted = next(i for i in report["indicators"] if i["indicator"] == "practices_adopted")
    line = [p["actual"] for p in adopted["progress"]]
    assert line == sorted(line) and line[0] == 0 and line[-1] == 100
    with chromium() as browser:
        log_in(browser, web, programme, token)
        for lang in ("kk", "ru", "en"):
            browser.get(f"{web}/v1/dashboard/{programme}?lang={lang}")
            shown = figures(browser)
            for practice in spread:
                assert int(shown[f"diffusion:{practice['practice_id']}"]) == \
                    practice["adopting_schools"]
            for point in adopted["progress"]:  # the curve, point by point, up to 100
                assert float(shown[f"diffusion-curve:practices_adopted:{point['month']}"]) \
                    == point["actual"]
            assert float(shown["diffusion-curve-target:practices_adopted"]) == 100
            screenshots(browser, SHOTS, f"dashboard-{programme}-{lang}")


def digits(text):
    return int(re.sub(r"\D", "", text))  # "2 064 199 025" as the page spaces it


def see_the_dashboard(web, token, programme):
    """Log in with the token through the form, then compare every figure the page shows
    with the JSON report and the district drill-down in each language; screenshots of the
    screen and of print, and the page printed to A4 PDF, in each language."""
    auth = {"Authorization": f"Bearer {token}"}
    report = requests.get(f"{web}/v1/programmes/{programme}/report", headers=auth,
                          timeout=30).json()
    print(f"\ndashboard screenshots and PDFs: {SHOTS}")
    with chromium() as browser:
        log_in(browser, web, programme, token)
        [cookie] = browser.get_cookies()
        assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
        for lang, name in (("kk", "name_kk"), ("ru", "name_ru"), ("en", "name_en")):
            browser.get(f"{web}/v1/dashboard/{programme}?lang={lang}")
            shown = figures(browser)
            assert shown["programme"] == (report[name] or report["name_ru"])
            shown_indicators(shown, report, lang)
            shown_money(shown, report)
            shown_outcomes(shown, report, lang, browser.page_source)
            districts = requests.get(f"{web}/v1/programmes/{programme}/districts?lang={lang}",
                                     headers=auth, timeout=30).json()["districts"]
            shown_districts(browser, shown, districts)
            today = daily.today().isoformat()  # the service recorded today's figures
            for line in report["indicators"]:
                assert float(shown[f"trend:{line['indicator']}:{today}"]) == line["actual"]
            shown_recorders(web, auth, shown, report)
            screenshots(browser, SHOTS, f"dashboard-{programme}-{lang}")
            pdf = as_printed(browser, SHOTS, f"dashboard-{programme}-{lang}")
            pages = pdf_pages(pdf)  # A4 portrait, in points; a tidy handful of pages
            assert pages and all(abs(w - 595) < 2 and abs(h - 842) < 2 for w, h in pages)
            assert len(pages) <= 12, len(pages)
    # The cookie opens the dashboard only: the API still wants the bearer header.
    api = requests.get(f"{web}/v1/programmes/{programme}/report", timeout=10,
                       cookies={"baqylau_session": token})
    assert api.status_code == 401


def shown_recorders(web, auth, shown, report):
    """Who recorded each figure's events: together, every event behind it."""
    for line in report["indicators"]:
        by = {k: int(v) for k, v in shown.items()
              if k.startswith(f"recorded:{line['indicator']}:")}
        count = requests.get(f"{web}/v1/programmes/{report['programme_id']}/figures/"
                             f"{line['indicator']}/events?limit=1", headers=auth,
                             timeout=30).json()["count"]
        assert sum(by.values()) == count, (line["indicator"], by)


def shown_indicators(shown, report, lang):
    """Each indicator's bar, its month-by-month line point by point, its target line."""
    for line in report["indicators"]:
        assert float(shown[f"{line['indicator']}/{LABELS['actual'][lang]}"]) == line["actual"]
        assert float(shown[f"{line['indicator']}/{LABELS['target'][lang]}"]) == \
            float(line["target"])
        assert float(shown[f"progress-target:{line['indicator']}"]) == float(line["target"])
        for point in line["progress"]:
            key = f"progress:{line['indicator']}:{point['month']}"
            if point["actual"] is None:  # a share of nobody yet
                assert shown[key] == "—", key
            else:
                assert float(shown[key]) == float(point["actual"]), key


def shown_money(shown, report):
    """The totals, and committed / disbursed / spent / held / remaining per commitment."""
    money = report["money"]
    for total in ("committed_kzt", "procured_kzt", "spent_kzt", "remaining_kzt"):
        assert digits(shown[total].split(":")[-1]) == money[total], total
    assert len(money["commitments"]) >= 2
    for c in money["commitments"]:
        for key in ("committed_kzt", "disbursed_kzt", "spent_kzt", "held_by_implementer_kzt",
                    "remaining_kzt"):
            assert int(shown[f"money:{c['commitment_id']}:{key}"]) == c[key], key


def shown_outcomes(shown, report, lang, page):
    """The programme's means, and every gain drawn (all, each model, the comparison)."""
    outcomes = [o for o in report["learning_outcomes"] if o["split"] == "all"]
    assert outcomes
    for o, round_ in ((o, r) for o in outcomes for r in ("baseline", "endline")):
        key = f"outcome:{o['grade']}:{o['subject']}/{LABELS[round_][lang]}"
        assert float(shown[key]) == float(o[round_]["mean"])
    for o in outcomes:  # subjects in the chosen language, not as contract keys
        assert f"· {subject_name(o['subject'], lang)}</td>" in page
    drawn = [o for o in report["learning_outcomes"] if o.get("gain") is not None and (
        o["split"] in ("all", "comparison") or o["split"].startswith("model:"))]
    assert {o["split"] for o in drawn} >= {"all", "comparison", "model:streaming"}
    for o in drawn:
        key = f"gain:{o['endline_round_id']}:{o['grade']}:{o['subject']}:{o['split']}"
        assert shown[key] == o["gain"], key


def shown_districts(browser, shown, districts):
    """Each district's figures, and its name and region's as the drill-down gives them."""
    for line in districts:
        cell = shown[f"district:{line['district_code']}:cabinets_commissioned"]
        assert digits(cell) == line["cabinets_commissioned"]
        name = browser.find_element("css selector",
                                    f"td[data-district='{line['district_code']}']").text
        region = browser.find_element(
            "css selector", f"td[data-district='{line['district_code']}'] + td").text
        assert name == (line["district_name"] if line["name_known"]
                        else f"{line['district_code']} ?")
        assert region == line["region_name"] and line["region_name_known"]


def every_figure_sums_its_events(web, token, programme):
    """Each indicator of the report and both money totals: the events behind it, page by
    page, sum to the figure the report shows."""
    auth = {"Authorization": f"Bearer {token}"}
    report = requests.get(f"{web}/v1/programmes/{programme}/report", headers=auth,
                          timeout=30).json()
    shown = {i["indicator"]: i["actual"] for i in report["indicators"]}
    shown |= {k: report["money"][k] for k in ("committed_kzt", "disbursed_kzt", "procured_kzt",
                                              "expenditure_kzt", "spent_kzt")}
    for figure, value in shown.items():
        events, after = [], 0
        while after is not None:
            page = requests.get(f"{web}/v1/programmes/{programme}/figures/{figure}/events"
                                f"?after={after}&limit=1000", headers=auth, timeout=60).json()
            events += page["events"]
            after = page["next_after"]
        if "numerator" in page:  # a percentage: each part sums to its count
            parts = {part: sum(e["value"] for e in events if e["part"] == part)
                     for part in ("numerator", "denominator")}
            assert parts == {k: page[k] for k in parts} and parts["denominator"]
            assert page["figure"] == value == round(
                100 * parts["numerator"] / parts["denominator"], 1), figure
        else:
            assert sum(e["value"] for e in events) == page["figure"] == value, figure
        assert len(events) == page["count"] and len({(e["source"], e["notification_id"],
                                                      json.dumps(e["fields"], sort_keys=True))
                                                     for e in events}) == len(events)
