"""The dashboard's words: every label and subject in the language the funder chose."""

import pytest

from services.reporting.api.render import dashboard, words
from services.reporting.figures import catalogue


def outcome(subject):
    return {"split": "all", "grade": 8, "subject": subject, "effect_size_d": "0.412",
            "baseline": {"mean": "17.5"}, "endline": {"mean": "21.0"}}


@pytest.mark.parametrize(("lang", "math", "kazakh"), [
    ("kk", "Математика", "Қазақ тілі"),
    ("ru", "Математика", "Казахский язык"),
    ("en", "Mathematics", "Kazakh language")])
def test_subjects_are_named_in_the_chosen_language(lang, math, kazakh):
    shown = dashboard._outcomes({"learning_outcomes": [outcome("math"),
                                                       outcome("kazakh_language")]}, lang)
    assert f"· {math} ·" in shown and f"· {kazakh} ·" in shown
    assert "kazakh_language ·" not in shown
    assert 'data-figure="outcome:8:kazakh_language"' in shown  # the key stays the figure's id


def test_a_subject_without_a_name_is_shown_by_its_key_readably():
    shown = dashboard._outcomes({"learning_outcomes": [outcome("world_of_work")]}, "ru")
    assert "· world of work ·" in shown


def test_every_named_subject_and_label_has_all_three_languages():
    for names in [*dashboard.SUBJECT_NAMES.values(), *dashboard.LABELS.values(),
                  *catalogue.labels().values()]:
        assert set(names) == set(dashboard.LANGUAGES) and all(names.values())


def commitment(**names):
    return {"commitment_id": "QH", "funder_id": "qazaqstan-halqyna", "scope": "equipment",
            "committed_kzt": 2_064_199_025, "procured_kzt": 0, "remaining_kzt": 2_064_199_025,
            **names}


def test_money_is_captioned_with_the_funders_name_and_scope_in_the_chosen_language():
    named = commitment(funder_name_kk="«Қазақстан халқына» қоры",
                       funder_name_ru="Фонд «Қазақстан халқына»", funder_name_en=None)
    assert dashboard._commitment_caption(named, "kk") == "«Қазақстан халқына» қоры · жабдық"
    assert dashboard._commitment_caption(named, "ru") == "Фонд «Қазақстан халқына» · оборудование"
    # no English name registered: the Russian one, as the programme's own name does
    assert dashboard._commitment_caption(named, "en") == "Фонд «Қазақстан халқына» · equipment"
    # the funder's registration not in the read model yet: its id
    assert dashboard._commitment_caption(commitment(), "en") == "qazaqstan-halqyna · equipment"


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
        shown = dashboard._outcomes(report, lang)
        assert comparison in shown and "<script" not in shown
        assert shown.count("<circle") == 3  # all, the model, the comparison; not districts
        assert 'data-figure="gain:END:6:math:model:streaming" data-value="2.000"' in shown
        assert "[0.100; 1.900]" in shown  # the difference in differences' interval
        assert "40 / 5" in shown


def test_every_word_of_the_gains_has_all_three_languages():
    for names in words.LABELS.values():
        assert set(names) == set(dashboard.LANGUAGES) and all(names.values())
