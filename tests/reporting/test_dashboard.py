"""The dashboard's words: every label and subject in the language the funder chose."""

import pytest

from services.reporting.api.render import dashboard
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
