"""The names of codes that come from the data, in Kazakh, Russian and English: subjects,
spending categories, the roles a system may be granted, partners' kinds. A code with no name
here yet is shown as itself, readably (underscores as spaces), never as a bare identifier."""

from __future__ import annotations

from typing import Any

# Subjects are the assessment rounds' own keys (a round may add any); the usual ones of
# Kazakhstan's curriculum are named here, any other is shown as its key, readably.
SUBJECT_NAMES: dict[str, dict[str, str]] = {
    "math": {"kk": "Математика", "ru": "Математика", "en": "Mathematics"},
    "natural_science": {"kk": "Жаратылыстану", "ru": "Естествознание",
                        "en": "Natural science"},
    "algebra": {"kk": "Алгебра", "ru": "Алгебра", "en": "Algebra"},
    "geometry": {"kk": "Геометрия", "ru": "Геометрия", "en": "Geometry"},
    "kazakh_language": {"kk": "Қазақ тілі", "ru": "Казахский язык", "en": "Kazakh language"},
    "russian_language": {"kk": "Орыс тілі", "ru": "Русский язык", "en": "Russian language"},
    "english_language": {"kk": "Ағылшын тілі", "ru": "Английский язык",
                         "en": "English language"},
    "reading_literacy": {"kk": "Оқу сауаттылығы", "ru": "Читательская грамотность",
                         "en": "Reading literacy"},
    "physics": {"kk": "Физика", "ru": "Физика", "en": "Physics"},
    "chemistry": {"kk": "Химия", "ru": "Химия", "en": "Chemistry"},
    "biology": {"kk": "Биология", "ru": "Биология", "en": "Biology"},
    "geography": {"kk": "География", "ru": "География", "en": "Geography"},
    "informatics": {"kk": "Информатика", "ru": "Информатика", "en": "Computer science"},
    "history_of_kazakhstan": {"kk": "Қазақстан тарихы", "ru": "История Казахстана",
                              "en": "History of Kazakhstan"},
}


# The roles a calling system may be granted (shared/access/roles.py GRANTABLE), as a
# programme officer would say them.
ROLE_NAMES: dict[str, dict[str, str]] = {
    "academy": {"kk": "оқыту (академия)", "ru": "обучение (академия)",
                "en": "training (academy)"},
    "school-data": {"kk": "мектеп деректері", "ru": "данные школ", "en": "school data"},
    "finance": {"kk": "қаржы", "ru": "финансы", "en": "finance"},
    "reader": {"kk": "тек оқу", "ru": "только чтение", "en": "read only"},
}


def role_name(role: str, lang: str) -> str:
    """A granted role in `lang`; one with no name here, as the grant names it."""
    names = ROLE_NAMES.get(role)
    return names[lang] if names else role


def subject_name(key: str, lang: str) -> str:
    """A subject in `lang`; one a round added that has no name here, by its key, readably."""
    names = SUBJECT_NAMES.get(key)
    return names[lang] if names else readably(key)


# What a programme spends on besides cabinets (ExpenditureRecorded's category).
CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "seminars": {"kk": "Семинарлар", "ru": "Семинары", "en": "Seminars"},
    "trainers_fees": {"kk": "Тренерлердің еңбекақысы", "ru": "Оплата тренеров",
                      "en": "Trainers' fees"},
    "online_platform": {"kk": "Онлайн платформа", "ru": "Онлайн-платформа",
                        "en": "Online platform"},
    "assessment": {"kk": "Бағалау", "ru": "Оценивание", "en": "Assessment"},
    "administration": {"kk": "Әкімшілік шығындар", "ru": "Административные расходы",
                       "en": "Administration"},
    "travel": {"kk": "Іссапар шығындары", "ru": "Командировочные расходы", "en": "Travel"},
    "materials": {"kk": "Материалдар", "ru": "Материалы", "en": "Materials"},
    "other": {"kk": "Басқа шығындар", "ru": "Прочие расходы", "en": "Other"},
}

# Whom a school drew in (PartnershipSigned's partner_kind).
PARTNER_KINDS: dict[str, dict[str, str]] = {
    "business": {"kk": "бизнес", "ru": "бизнес", "en": "business"},
    "ngo": {"kk": "ҮЕҰ", "ru": "НКО", "en": "NGO"},
    "university": {"kk": "жоғары оқу орны", "ru": "вуз", "en": "university"},
    "government": {"kk": "мемлекеттік орган", "ru": "госорган", "en": "government body"},
    "school": {"kk": "мектеп", "ru": "школа", "en": "school"},
    "other": {"kk": "басқа", "ru": "другое", "en": "other"},
}


def readably(key: str) -> str:
    return key.replace("_", " ")


def category_name(key: str, lang: str) -> str:
    """A spending category in `lang`; a new one by its key, readably."""
    names = CATEGORY_NAMES.get(key)
    return names[lang] if names else readably(key)


def partner_kind(key: str | None, lang: str) -> str:
    names = PARTNER_KINDS.get(key or "")
    return names[lang] if names else readably(key or "")


def funder_name(line: dict[str, Any], lang: str) -> str:
    """Who committed the money, named in the chosen language (else Russian, else the id)."""
    return str(line.get(f"funder_name_{lang}") or line.get("funder_name_ru")
               or line["funder_id"])
