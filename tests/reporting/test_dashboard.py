"""The dashboard without servers: every section drawn from a report as the JSON carries it,
in the language the funder chose, as SVG with a table beside it, printable on A4."""

import re
from datetime import date

import pytest

from services.reporting.api.render import (
    dashboard,
    diffusion,
    districts,
    money,
    outcomes,
    provenance,
    timeline,
    words,
)
from services.reporting.figures import catalogue
from services.reporting.figures.provenance import Provenance
from shared.access.roles import GRANTABLE

LANGS = dashboard.LANGUAGES


def outcome(subject, split="all"):
    return {"split": split, "grade": 8, "subject": subject, "effect_size_d": "0.412",
            "baseline": {"mean": "17.5", "mean_ci": ["17.1", "17.9"], "pupils": 300,
                         "schools": 12},
            "endline": {"mean": "21.0", "mean_ci": ["20.5", "21.5"], "pupils": 290,
                        "schools": 12}}


@pytest.mark.parametrize(("lang", "math", "kazakh"), [
    ("kk", "Математика", "Қазақ тілі"),
    ("ru", "Математика", "Казахский язык"),
    ("en", "Mathematics", "Kazakh language")])
def test_subjects_are_named_in_the_chosen_language(lang, math, kazakh):
    shown = outcomes.section({"learning_outcomes": [outcome("math"),
                                                    outcome("kazakh_language")]}, lang)
    assert f"· {math}</td>" in shown and f"· {kazakh}</td>" in shown
    assert "kazakh_language<" not in shown
    assert 'data-figure="outcome:8:kazakh_language"' in shown  # the key stays the figure's id
    assert "17.5 [17.1; 17.9]" in shown and "300 / 12" in shown  # the interval, n beside


def test_a_subject_without_a_name_is_shown_by_its_key_readably():
    shown = outcomes.section({"learning_outcomes": [outcome("world_of_work")]}, "ru")
    assert "· world of work</td>" in shown


def test_every_named_subject_and_label_has_all_three_languages():
    for names in [*words.SUBJECT_NAMES.values(), *words.LABELS.values(),
                  *words.ROLE_NAMES.values(), *catalogue.labels().values()]:
        assert set(names) == set(LANGS) and all(names.values())


def test_every_role_a_system_may_be_granted_is_named():
    assert set(words.ROLE_NAMES) == set(GRANTABLE)


def commitment(cid="QH", funder="qazaqstan-halqyna", scope="equipment", committed=2_000,
               spent=500, disbursed=None, **names):
    disbursed = committed if disbursed is None else disbursed
    return {"commitment_id": cid, "funder_id": funder, "scope": scope,
            "committed_kzt": committed, "disbursed_kzt": disbursed, "procured_kzt": spent,
            "expenditure_kzt": 0, "spent_kzt": spent, "remaining_kzt": committed - spent,
            "held_by_implementer_kzt": disbursed - spent, "spent_by_category": {}, **names}


def test_money_is_captioned_with_the_funders_name_and_scope_in_the_chosen_language():
    named = commitment(funder_name_kk="«Қазақстан халқына» қоры",
                       funder_name_ru="Фонд «Қазақстан халқына»", funder_name_en=None)
    assert money.caption(named, "kk") == "«Қазақстан халқына» қоры · жабдық (QH)"
    assert money.caption(named, "ru") == "Фонд «Қазақстан халқына» · оборудование (QH)"
    # no English name registered: the Russian one, as the programme's own name does
    assert money.caption(named, "en") == "Фонд «Қазақстан халқына» · equipment (QH)"
    # the funder's registration not in the read model yet: its id
    assert money.caption(commitment(), "en") == "qazaqstan-halqyna · equipment (QH)"


def test_money_is_committed_disbursed_spent_held_and_remaining_per_commitment():
    lines = [commitment("A", "akimat", "programme", 1_000, 300, disbursed=600),
             commitment("B", "akimat", "training", 500, 500),
             commitment("C", "fund", "equipment", 2_000, 0)]
    shown = money.section({"money": {"commitments": lines, "committed_kzt": 3_500,
                                     "disbursed_kzt": 3_100, "procured_kzt": 800,
                                     "spent_kzt": 800, "remaining_kzt": 2_700,
                                     "held_by_implementer_kzt": 2_300}}, "en")
    cells = dict(re.findall(r'data-figure="(money:[^"]+)" data-value="(-?\d+)"', shown))
    assert {k: v for k, v in cells.items() if k.startswith("money:A:")} == {
        "money:A:committed_kzt": "1000", "money:A:disbursed_kzt": "600",
        "money:A:spent_kzt": "300", "money:A:held_by_implementer_kzt": "300",
        "money:A:remaining_kzt": "700"}
    assert cells["money:C:held_by_implementer_kzt"] == "2000"
    assert "akimat · training (B)" in shown and "30.0\u202f%" in shown  # A spent 300 of 1000
    assert 'data-figure="held_by_implementer_kzt">held by implementer: 2\u202f300<' in shown


def gain_cell(split, gain, ci, did=None):
    return {"split": split, "grade": 6, "subject": "math", "endline_round_id": "END",
            "gain": gain, "gain_ci": ci, "matched_pupils": 40, "matched_schools": 5,
            **({"difference_in_differences": did, "difference_in_differences_ci":
                ["0.100", "1.900"]} if did else {})}


def test_gains_are_drawn_as_points_with_whiskers_per_model_and_for_the_comparison():
    report = {"learning_outcomes": [
        gain_cell("all", "1.500", ["0.900", "2.100"], did="1.000"),
        gain_cell("model:streaming", "2.000", ["1.000", "3.000"], did="1.500"),
        gain_cell("comparison", "0.500", ["0.100", "0.900"]),
        gain_cell("district:1522", "1.500", ["0.900", "2.100"])]}
    for lang, comparison in (("kk", "салыстыру тобы"), ("ru", "группа сравнения"),
                             ("en", "comparison group")):
        shown = outcomes.section(report, lang)
        assert comparison in shown and "<script" not in shown
        # all, the model, the comparison (not districts); each its own shape for print
        assert len(re.findall(r'data-figure="gain:', shown)) == 3
        assert 'data-figure="gain:END:6:math:model:streaming" data-value="2.000"' in shown
        assert 'fill="#fff"' in shown  # the comparison schools' hollow circle
        assert "[0.100; 1.900]" in shown  # the difference in differences' interval
        assert "40 / 5" in shown


def indicator(name="teachers_trained", target="500", actual=None, months=None):
    months = months or [("2024-01", 0), ("2024-02", 200), ("2024-03", 480)]
    return {"indicator": name, "measure": "count", "baseline": "0", "target": target,
            "actual": actual if actual is not None else months[-1][1],
            "share_reached": "0.960", "period_end": date(2024, 12, 31),
            "progress": [{"month": m, "actual": v} for m, v in months]}


@pytest.mark.parametrize("lang", LANGS)
def test_a_progress_line_runs_to_the_periods_end_against_its_target(lang):
    shown = timeline.progress({"indicators": [indicator()]}, lang)
    assert f"{words.label('period_end', lang)} 2024-12" in shown
    assert f'fill="{timeline.TARGET}">500</text>' in shown  # on the axis, in the target's colour
    assert f"{words.label('target', lang)}, {words.label('period_end', lang)} 2024-12-31" \
        in shown  # and in the table beside
    assert 'data-figure="progress:teachers_trained:2024-03" data-value="480"' in shown
    assert 'data-figure="progress-target:teachers_trained" data-value="500"' in shown
    # the line stops at the last month (March: a quarter of the way to December)
    last = re.search(r'<circle cx="(\d+)"[^>]*2024-03', shown)
    assert int(last.group(1)) < timeline.LEFT + (timeline.WIDTH - timeline.LEFT
                                                 - timeline.RIGHT) // 4
    assert 'class="figure"' in shown and "<table" in shown  # the table beside the chart


def test_a_share_of_nobody_yet_is_no_point_but_still_a_figure():
    line = indicator(months=[("2024-01", None), ("2024-02", 60.0)])
    shown = timeline.progress({"indicators": [line]}, "en")
    assert '<g data-figure="progress:teachers_trained:2024-01" data-value="—">' in shown
    assert shown.count("<circle") == 1


def test_the_diffusion_curve_is_the_adopted_indicators_line_reaching_its_target():
    line = indicator("practices_adopted", "100", months=[("2024-01", 0), ("2024-05", 100)])
    practice = {"practice_id": "p1", "code": "KZ-1", "title": "Lesson study",
                "direction": "teaching", "school_id": "S1", "published_on": "2024-01-10",
                "adopting_schools": 100, "adoptions": [{"school_id": "S2",
                                                        "adopted_on": "2024-05-02"}]}
    for lang in LANGS:
        shown = diffusion.section({"indicators": [line], "diffusion": [practice]}, lang)
        assert words.label("adopting_schools", lang) in shown
        assert 'data-figure="diffusion-curve:practices_adopted:2024-05" data-value="100"' \
            in shown
        assert 'data-figure="diffusion:p1">100<' in shown


def district(code="1522", name="Алға ауданы", known=True, region="Ақтөбе облысы",
             region_known=True):
    return {"district_code": code, "district_name": name, "name_known": known,
            "region_code": code[:2], "region_name": region, "region_name_known": region_known,
            "organisations": 2, "pupils": 145, "participants_trained": 3, "cabinets": 1,
            "cabinets_commissioned": 1, "pupils_assessed": 40}


def test_districts_read_with_their_regions_and_unnamed_codes_carry_a_visible_mark():
    shown = districts.section([district(), district("1599", None, False)], "kk")
    assert ">Алға ауданы</td>" in shown and shown.count(">Ақтөбе облысы</td>") == 2
    assert 'data-name-known="false"' in shown and ">1599 ?</td>" not in shown
    assert ">Ауданның аты классификаторда жоқ (код 1599)</td>" in shown  # said, with its code


def full_report():
    return {"programme_id": "p", "name_kk": "Бағдарлама", "name_ru": "Программа",
            "name_en": None, "period": {"start": date(2024, 1, 1), "end": date(2024, 12, 31)},
            "indicators": [indicator(), indicator("practices_adopted", "100")],
            "money": {"commitments": [commitment()], "committed_kzt": 2_000,
                      "disbursed_kzt": 2_000, "procured_kzt": 500, "spent_kzt": 500,
                      "remaining_kzt": 1_500, "held_by_implementer_kzt": 1_500},
            "learning_outcomes": [outcome("math"), gain_cell("all", "1.5", ["0.9", "2.1"])],
            "diffusion": [], "approval": None}


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_has_no_script_scales_its_charts_and_prints_on_a4(lang):
    page = dashboard.page(full_report(), [district()], lang, {})
    assert "<script" not in page
    assert not re.search(r"<[^>]+\son\w+=", page)  # no inline handlers either
    assert f'<html lang="{lang}">' in page
    assert all("viewBox" in tag for tag in re.findall(r"<svg[^>]*>", page))
    style = page[page.index("<style>"):page.index("</style>")]
    assert "@page{size:A4" in style and "@media print" in style
    assert re.search(r"@media print\{[^}]*nav\{display:none\}", style)
    assert "break-inside:avoid" in style


@pytest.mark.parametrize("lang", LANGS)
def test_the_audit_view_counts_each_figures_events_by_the_system_that_recorded_them(lang):
    recorded = Provenance(recorders={
        "teachers_trained": [{"recorded_by": "academy", "events": 1_480, "files": 3},
                             {"recorded_by": None, "events": 20, "files": 0}],
        "procured_kzt": [{"recorded_by": "finance", "events": 12, "files": 0}]})
    shown = provenance.section(["teachers_trained", "practices_adopted", "procured_kzt"],
                               recorded, lang)
    assert 'data-figure="recorded:teachers_trained:academy" data-value="1480"' in shown
    assert 'data-figure="recorded:teachers_trained:-" data-value="20"' in shown
    assert 'data-figure="recorded:procured_kzt:finance" data-value="12"' in shown
    assert words.label("unrecorded", lang) in shown and words.label("who_note", lang) in shown
    assert ">3</td>" in shown and ">—</td>" in shown  # files: three, or none
    assert catalogue.label("teachers_trained", lang) in shown
    assert catalogue.label("practices_adopted", lang) not in shown  # no events yet
    assert words.label("access", lang) not in shown  # no grants: no table
    assert provenance.section(["teachers_trained"], Provenance(), lang) == ""
