"""What a funder reads on the dashboard at a glance, drawn from a report as the JSON carries
it: where the money went, whether the cabinets work, shares never rounded up to 100 %,
indicators from their baseline, outcomes explained, every code by its name, Uralsk's
strategies and partners, the PDF link, and the login page in the funder's language."""

import re
from html import escape

import pytest

from services.reporting.api.render import (
    cabinets,
    dashboard,
    development,
    indicators,
    legend,
    login,
    money,
    names,
    outcomes,
    shares,
    words,
)
from shared.contracts.equipment_events import EXPENDITURE_CATEGORIES
from shared.contracts.registry_events import PARTNER_KINDS
from tests.reporting import aktobe_like

LANGS = dashboard.LANGUAGES
PERCENT = "\u202f%"


def page(lang, **changes):
    report = {**aktobe_like.report(), **changes}
    return dashboard.page(report, aktobe_like.district_lines(lang), lang)


def visible(html):
    """The page's text as read: tags and attributes (where codes are ids) left out."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("part", "whole", "shown"), [
    (10_486, 10_500, "99.9"), (10_499, 10_500, "99.9"), (10_500, 10_500, "100.0"),
    (1, 100_000, "0.1"), (0, 7, "0.0"), (336, 480, "70.0"), (11, 10, "110.0"),
    (-1, 100_000, "-0.1")])
def test_a_share_is_never_rounded_to_a_whole_it_did_not_reach(part, whole, shown):
    assert shares.percent(part, whole) == shown + PERCENT


def test_share_below_target_never_shows_100_percent():
    # 10,499 of 10,500 pupils: the report's share to 0.001 is "1.000"
    line = {**aktobe_like.indicators()[1], "actual": 10_499, "share_reached": "1.000",
            "progress_from_baseline": "1.000"}
    shown = indicators.section({"indicators": [line]}, "en")
    assert f"100{PERCENT}" not in shown and f"100.0{PERCENT}" not in shown
    assert f">99.9{PERCENT}</td>" in shown  # reached
    assert 'data-figure="share_reached:pupils_reached" data-value="1.000"' in shown


def test_a_percentage_indicator_shows_baseline_target_actual_and_progress_from_baseline():
    shown = visible(indicators.section({"indicators": aktobe_like.indicators()}, "en"))
    assert (f"actual: 70.0{PERCENT} (baseline 60{PERCENT}, target 75{PERCENT}): 10 of 15"
            f" points (66.7{PERCENT})") in shown
    ru = visible(indicators.section({"indicators": aktobe_like.indicators()}, "ru"))
    assert f"факт: 70.0{PERCENT} (входной 60{PERCENT}, цель 75{PERCENT}): 10 из 15 п. п." in ru


def test_a_count_shows_its_baseline_only_where_it_is_not_zero():
    counted = aktobe_like.indicators()[3]  # teachers trained, baseline 0
    assert indicators.summary(counted, "en") == "actual: 540 (target 576)"
    raised = {**counted, "baseline": "100"}
    assert indicators.summary(raised, "en") == \
        f"actual: 540 (baseline 100, target 576): 440 of 476 (92.4{PERCENT})"


def test_money_by_category_named_in_kazakh():
    shown = money.section(aktobe_like.report(), "kk")
    for name in ("Кабинеттер (сатып алу)", "Семинарлар", "Бағалау", "Әкімшілік шығындар"):
        assert f"{name}</td>" in shown
    assert not re.search(r"\b(seminars|assessment|administration)\b", visible(shown))
    assert 'data-figure="spent:AKT-AKIMAT-2023:seminars" data-value="96000000"' in shown
    assert 'data-figure="spent:cabinets" data-value="2064199025"' in shown
    assert "Ақтөбе облысының әкімдігі" in shown  # the commitment's funder, named


def test_every_spending_category_and_partner_kind_is_named_in_three_languages():
    assert set(names.CATEGORY_NAMES) == set(EXPENDITURE_CATEGORIES)
    assert set(names.PARTNER_KINDS) == set(PARTNER_KINDS)
    for table in (names.CATEGORY_NAMES, names.PARTNER_KINDS, legend.TERMS, login.WORDS):
        for said in table.values():
            assert set(said) == set(LANGS) and all(said.values())


def test_what_the_implementer_holds_is_disbursed_minus_spent_and_a_negative_is_explained():
    ahead = aktobe_like.money()["commitments"][0] | {
        "disbursed_kzt": 100_000_000, "held_by_implementer_kzt": -71_300_000}
    shown = money.section({"money": aktobe_like.money() | {"commitments": [ahead]}}, "en")
    assert 'data-figure="money:AKT-AKIMAT-2023:held_by_implementer_kzt"' \
           ' data-value="-71300000">-71\u202f300\u202f000<' in shown
    assert "A negative amount means the implementer has spent more" in shown
    assert 'stroke="#b03a2e" stroke-width="3"' in shown  # where the funder's payments stop


def test_the_money_chart_is_drawn_at_its_own_size_with_large_words():
    shown = money.section(aktobe_like.report(), "ru")
    chart = re.search(r'<svg viewBox="0 0 (\d+) \d+"[^>]*class="large"', shown)
    assert chart and int(chart.group(1)) >= 900
    assert 'class="figure stacked"' in shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_cabinets_working_state_is_shown_with_the_schools_to_call_about(lang):
    report = aktobe_like.report()
    shown = cabinets.section(report, lang)
    for key, value in (("commissioned", 155), ("working", 153), ("faults_open", 2),
                       ("faults_resolved", 7), ("cabinets_below_need", 78),
                       ("internet_mbps_median", "9.9")):
        assert f'data-figure="cabinets:{key}" data-value="{value}"' in shown
    slow_or_faulty = [s for s in report["cabinets"]["schools"]
                      if s["faults_open"] or float(s["internet_mbps"]) < 10]
    assert shown.count('data-figure="school-internet:') == len(slow_or_faulty)
    martuk = {"kk": "Мәртөк ауданы", "ru": "Мартукский район", "en": "Martuk district"}[lang]
    assert f"<td>{martuk}</td>" in shown
    assert not re.search(r">\s*15\d\d\s*<", shown)  # no district as a bare code
    assert words.label("cabinets_note", lang).format(need="10") in shown


def test_a_school_is_listed_for_an_open_fault_or_slow_internet_and_not_otherwise():
    school = aktobe_like.report()["cabinets"]["schools"][0]
    fast_faulty = {**school, "organisation_id": "F", "faults_open": 1, "internet_mbps": "50"}
    slow = {**school, "organisation_id": "S", "faults_open": 0, "internet_mbps": "9.9"}
    fine = {**school, "organisation_id": "OK", "faults_open": 0, "internet_mbps": "10.0"}
    unmeasured = {**school, "organisation_id": "U", "faults_open": 0, "internet_mbps": None}
    listed = cabinets.watched({"internet_need_mbps": "10",
                               "schools": [fast_faulty, slow, fine, unmeasured]})
    assert [s["organisation_id"] for s in listed] == ["F", "S"]


def test_the_cabinets_section_is_left_out_for_a_programme_without_cabinets():
    empty = {"internet_need_mbps": "10", "allocated": 0, "delivered": 0, "commissioned": 0,
             "working": 0, "faults_reported": 0, "faults_open": 0, "faults_resolved": 0,
             "days_to_resolve_median": None, "days_to_resolve_max": None,
             "internet_mbps_median": None, "cabinets_below_need": 0,
             "schools_below_need": 0, "schools": []}
    assert cabinets.section({"cabinets": empty}, "en") == ""


@pytest.mark.parametrize(("lang", "scale", "medium"), [
    ("kk", "0–40 балл, шекті балл 20", "орташа"),
    ("ru", "0–40 баллов, порог 20", "средний"),
    ("en", "0–40 points, threshold 20", "medium")])
def test_outcomes_state_their_scale_and_threshold_and_explain_gain_d_and_did(lang, scale,
                                                                              medium):
    shown = outcomes.section(aktobe_like.report(), lang)
    assert f"<td>{scale}</td>" in shown
    assert f"41.2{PERCENT}" in shown  # at or above the threshold at baseline
    for term in ("gain", "d", "did", "threshold", "interval"):
        assert escape(legend.TERMS[term][lang].split(":", 1)[0]) in shown
    assert legend.reading("0.55", lang) == medium
    assert re.search(r"0\.\d{3} · " + legend.reading("0.3", lang), shown)


@pytest.mark.parametrize("lang", LANGS)
def test_subjects_models_and_groups_of_schools_are_shown_by_name_never_by_code(lang):
    text = visible(outcomes.section(aktobe_like.report(), lang))
    for code in ("kazakh_language", "natural_science", "district:", "model:",
                 "small_class", "online_teaching"):
        assert code not in text, code
    assert words.subject_name("kazakh_language", lang) in text
    assert words.label("small_class", lang) in text
    assert {"kk": "Алға ауданы", "ru": "Алгинский район", "en": "Alga district"}[lang] in text
    assert re.search(r"\(\D*1540\)", text)  # the unnamed district: said so, with its code
    assert not re.search(r"(^|\s)1540 \?", text)


def test_uralsks_strategies_projects_and_partners_are_shown_per_school():
    shown = development.section(aktobe_like.report(with_development=True), "ru")
    assert 'data-figure="development:memoranda" data-value="2"' in shown
    assert "Школа равных возможностей" in shown and "принята" in shown
    assert "ЗКАТУ им. Жангир хана" in shown and "(вуз; меморандум № 12/24" in shown
    assert "Читательский клуб" in shown and "г.а. Уральск" in shown
    assert "university" not in shown


def test_the_development_section_is_left_out_when_the_programme_has_none():
    assert development.section(aktobe_like.report(), "en") == ""
    assert words.label("development", "en") not in page("en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_link_is_near_the_top_in_the_pages_language_and_hidden_in_print(lang):
    shown = page(lang)
    link = re.search(r'<a class="pdf" data-figure="pdf" href="([^"]+)"', shown)
    assert link.group(1) == f"/v1/programmes/aktobe-small-schools/report.pdf?lang={lang}"
    assert shown.index("report.pdf") < shown.index("<h1")
    printed = shown[shown.index("@media print{"):shown.index("</style>")]
    assert ".pdf{display:none}" in printed
    as_of = dashboard.page(aktobe_like.report(), [], lang, as_of="2024-06-30")
    assert "report.pdf?lang=" + lang + "&amp;as_of=2024-06-30" in as_of
    assert 'href="?lang=ru&amp;as_of=2024-06-30"' in as_of  # the languages keep the moment
    assert 'data-figure="as_of" data-value="2024-06-30"' in as_of


def test_login_page_in_russian_says_where_a_token_comes_from():
    shown = dashboard.login_page("aktobe-small-schools", "ru")
    assert '<html lang="ru">' in shown and "Откуда берётся токен?" in shown
    assert "baqylau token issue" in shown and "оператор" in shown
    assert "один раз" in shown  # shown once
    assert '<input type="hidden" name="lang" value="ru">' in shown
    assert ">Открыть</button>" in shown and "Token <" not in shown
    assert 'href="?programme_id=aktobe-small-schools&amp;lang=kk"' in shown


@pytest.mark.parametrize(("lang", "error"), [
    ("kk", "Токен жарамсыз"), ("ru", "Токен недействителен"), ("en", "The token is not valid")])
def test_a_refused_token_is_said_in_the_language_the_form_was_in(lang, error):
    shown = dashboard.login_page("p", lang, "invalid_token")
    assert re.search(rf'<p role="alert"[^>]*>{error}', shown)


def test_the_login_page_defaults_to_kazakh_like_the_dashboard():
    assert login.language(None) == login.language("de") == "kk"
    assert '<html lang="kk">' in dashboard.login_page("p", login.language(None))


def test_the_login_pages_language_links_carry_the_programme_id_url_encoded():
    shown = dashboard.login_page("a&lang=en #д", "ru")
    assert 'href="?programme_id=a%26lang%3Den%20%23%D0%B4&amp;lang=kk"' in shown
    assert '<input type="hidden" name="programme_id" value="a&amp;lang=en #д">' in shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_gains_charts_are_described_in_the_pages_language(lang):
    shown = outcomes.section(aktobe_like.report(), lang)
    described = set(re.findall(r'<svg [^>]*aria-label="([^"]*)"', shown))
    assert words.label("all", lang) in described
    assert words.label("comparison", lang) in described
    assert words.label("gain_scale", lang) in described
    if lang != "en":
        assert not described & {"programme, all", "comparison group", "scale"}


def test_the_speed_bands_and_the_need_are_the_reports_own():
    report = aktobe_like.report()
    schools = [{**report["cabinets"]["schools"][0], "organisation_id": f"S-{mbps}",
                "internet_mbps": str(mbps), "faults_open": 0} for mbps in (8, 15, 30, 120)]
    need = {**report["cabinets"], "internet_need_mbps": "20", "schools": schools}
    shown = cabinets.section({"cabinets": need}, "en")
    bands = re.findall(r'<td data-figure="speed:([\d.]+)" data-value="(\d+)">', shown)
    assert bands == [("0", "1"), ("10", "1"), ("20", "1"), ("40", "0"), ("100", "1")]
    assert "10–20 ✗" in shown and "20–40 ✗" not in shown  # slow: below the need of 20
    assert words.label("cabinets_below_need", "en").format(need="20") in shown
    assert [s["organisation_id"] for s in cabinets.watched(need)] == ["S-8", "S-15"]


def test_a_memorandum_number_written_with_its_sign_is_not_signed_twice():
    report = aktobe_like.report(with_development=True)
    partner = report["development"]["organisations"][0]["partners"][0]
    partner["memorandum_ref"] = "№ 14-М/2025"
    shown = development.section(report, "kk")
    assert "№ 14-М/2025" in shown and "№ №" not in shown
