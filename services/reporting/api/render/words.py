"""Every word of the dashboard in Kazakh, Russian and English, in one place: the page's
sections, its time lines, its gains and the subjects assessed (the indicators' own names
are the catalogue's)."""

from __future__ import annotations

from services.reporting.api.render.names import (  # noqa: F401  (named here before)
    ROLE_NAMES,
    SUBJECT_NAMES,
    role_name,
    subject_name,
)
from services.reporting.api.render.words_funder import FUNDER_WORDS

LABELS: dict[str, dict[str, str]] = {
    "title": {"kk": "Бағдарлама көрсеткіштері", "ru": "Показатели программы",
              "en": "Programme dashboard"},
    "indicators": {"kk": "Көрсеткіштер: мақсат пен нақты", "ru": "Показатели: цель и факт",
                   "en": "Indicators: target and actual"},
    "money": {"kk": "Қаржы, теңге", "ru": "Финансы, тенге", "en": "Money, KZT"},
    "outcomes": {"kk": "Оқу нәтижелері", "ru": "Результаты обучения",
                 "en": "Learning outcomes"},
    "districts": {"kk": "Аудандар бойынша", "ru": "По районам", "en": "By district"},
    "target": {"kk": "мақсат", "ru": "цель", "en": "target"},
    "actual": {"kk": "нақты", "ru": "факт", "en": "actual"},
    "committed": {"kk": "міндеттеме", "ru": "обязательства", "en": "committed"},
    "disbursed": {"kk": "аударылды", "ru": "перечислено", "en": "disbursed"},
    "procured": {"kk": "сатып алынды", "ru": "закуплено", "en": "procured"},
    "spent": {"kk": "жұмсалды", "ru": "израсходовано", "en": "spent"},
    "remaining": {"kk": "қалды", "ru": "остаток", "en": "remaining"},
    "baseline": {"kk": "бастапқы", "ru": "входной", "en": "baseline"},
    "endline": {"kk": "қорытынды", "ru": "итоговый", "en": "endline"},
    "effect": {"kk": "әсер мөлшері (d)", "ru": "размер эффекта (d)", "en": "effect size (d)"},
    "grade": {"kk": "сынып", "ru": "класс", "en": "grade"},
    "subject": {"kk": "пән", "ru": "предмет", "en": "subject"},
    "district": {"kk": "аудан", "ru": "район", "en": "district"},
    "organisations": {"kk": "ұйымдар", "ru": "организации", "en": "organisations"},
    "pupils": {"kk": "оқушылар", "ru": "учащиеся", "en": "pupils"},
    "participants_trained": {"kk": "оқытылғандар", "ru": "обучено", "en": "trained"},
    "cabinets_commissioned": {"kk": "іске қосылған кабинеттер",
                              "ru": "введено кабинетов", "en": "cabinets commissioned"},
    "pupils_assessed": {"kk": "бағаланған оқушылар", "ru": "оценено учащихся",
                        "en": "pupils assessed"},
    "none": {"kk": "Әзірге дерек жоқ", "ru": "Данных пока нет", "en": "No data yet"},
    "trends": {"kk": "Күн сайын тіркелгені (аудит)", "ru": "Записано по дням (аудит)",
               "en": "As recorded day by day (audit view)"},
    "trends_note": {"kk": "Платформа деректі алған күн бойынша, фактінің өз күні бойынша емес.",
                    "ru": "По дню поступления данных в платформу, а не по дате самих фактов.",
                    "en": "By the day the platform received the data, not the facts' own "
                          "dates."},
    "first_day": {"kk": "алғашқы күн", "ru": "первый день", "en": "first day"},
    "last_day": {"kk": "соңғы күн", "ru": "последний день", "en": "last day"},
    # who recorded the figures (the audit view)
    "who_recorded": {"kk": "Деректерді кім енгізді", "ru": "Кто внёс данные",
                     "en": "Who recorded the data"},
    "system": {"kk": "жүйе", "ru": "система", "en": "system"},
    "events": {"kk": "оқиғалар", "ru": "события", "en": "events"},
    "files": {"kk": "импортталған файлдар", "ru": "импортированные файлы",
              "en": "imported files"},
    "unrecorded": {"kk": "көрсетілмеген", "ru": "не указано", "en": "not named"},
    "who_note": {"kk": "Жүйе: көрсеткіштің әр оқиғасын өз командасымен енгізген жүйенің"
                       " платформадағы есептік жазбасы (академия, электрондық журнал…)."
                       " Импортталған файлдар: осы оқиғалар қанша файлмен келді."
                       " «Көрсетілмеген»: платформа жіберушіні сақтай бастағанға дейін"
                       " енгізілген немесе платформаның өзі есептеген.",
                 "ru": "Система: учётная запись в платформе той системы, командой которой"
                       " записано каждое событие показателя (академии, электронного"
                       " журнала…). Импортированные файлы: из скольких файлов пришли эти"
                       " события. «Не указано»: записано до того, как платформа стала хранить"
                       " отправителя, или вычислено самой платформой.",
                 "en": "System: the platform account of the system whose command recorded"
                       " each event behind the figure (an academy's, an e-journal's…)."
                       " Imported files: how many files those events came in. “Not named”:"
                       " recorded before the platform kept the sender, or worked out by the"
                       " platform itself."},
    "access": {"kk": "Жүйелерге берілген рұқсаттар", "ru": "Доступ, выданный системам",
               "en": "Access given to systems"},
    "when": {"kk": "қашан (UTC+5)", "ru": "когда (UTC+5)", "en": "when (UTC+5)"},
    "change": {"kk": "өзгеріс", "ru": "изменение", "en": "change"},
    "role": {"kk": "рөлі", "ru": "роль", "en": "role"},
    "changed_by": {"kk": "кім өзгертті", "ru": "кем изменено", "en": "changed by"},
    "granted_all": {"kk": "берілді: барлық бағдарламаларға", "ru": "выдан: все программы",
                    "en": "granted: every programme"},
    "granted_this": {"kk": "берілді: осы бағдарламаға", "ru": "выдан: эта программа",
                     "en": "granted: this programme"},
    "granted_other": {"kk": "берілді: тек басқа бағдарламаларға",
                      "ru": "выдан: только другие программы",
                      "en": "granted: other programmes only"},
    "revoked": {"kk": "қайтарып алынды", "ru": "отозван", "en": "revoked"},
    "indicator": {"kk": "көрсеткіш", "ru": "показатель", "en": "indicator"},
    "share_reached": {"kk": "орындалуы", "ru": "выполнение", "en": "reached"},
    "period_end": {"kk": "кезең соңы", "ru": "конец периода", "en": "period end"},
    "region": {"kk": "облыс", "ru": "область", "en": "region"},
    "funder": {"kk": "қаржыландырушы", "ru": "источник финансирования", "en": "funder"},
    "unnamed": {"kk": "? — KATO сыныптауышында атауы жоқ код",
                "ru": "? — код, которому в классификаторе КАТО нет названия",
                "en": "? — a code the KATO classifier has no name for"},
    "means": {"kk": "Орташа балл, 95 % аралық",
              "ru": "Средний балл, 95 % интервал",
              "en": "Mean score, 95 % interval"},
    "mean": {"kk": "орташа", "ru": "среднее", "en": "mean"},
    "adopting_schools": {"kk": "Тәжірибе енгізген мектептер (жинақталған)",
                         "ru": "Школы, внедрившие практики (нарастающим итогом)",
                         "en": "Schools that adopted a practice (cumulative)"},
    # what a commitment pays for (FundingCommitted's scope)
    "scope_programme": {"kk": "бүкіл бағдарлама", "ru": "вся программа",
                        "en": "whole programme"},
    "scope_equipment": {"kk": "жабдық", "ru": "оборудование", "en": "equipment"},
    "scope_training": {"kk": "оқыту", "ru": "обучение", "en": "training"},
    "scope_assessment": {"kk": "бағалау", "ru": "оценивание", "en": "assessment"},
    # the time lines
    "progress": {"kk": "Бағдарлама уақыты бойынша барысы (ай сайын)",
                 "ru": "Ход программы по месяцам", "en": "Progress month by month"},
    "diffusion": {"kk": "Тәжірибелердің таралуы", "ru": "Распространение практик",
                  "en": "How the practices spread"},
    "month": {"kk": "ай", "ru": "месяц", "en": "month"},
    "practice": {"kk": "тәжірибе", "ru": "практика", "en": "practice"},
    "direction": {"kk": "бағыт", "ru": "направление", "en": "direction"},
    "school": {"kk": "жариялаған мектеп", "ru": "школа-автор", "en": "published by"},
    "published": {"kk": "жарияланды", "ru": "опубликована", "en": "published"},
    "adopters": {"kk": "енгізген мектептер", "ru": "школ внедрили", "en": "schools adopting"},
    "last": {"kk": "соңғы енгізу", "ru": "последнее внедрение", "en": "last adoption"},
    "preliminary": {"kk": "Алдын ала көрсеткіштер (бүгінгі)", "ru": "Предварительные данные"
                    " (на сегодня)", "en": "Preliminary figures (today's)"},
    "approved": {"kk": "бекітілді", "ru": "утверждено", "en": "approved"},
    "approved_by": {"kk": "Бекіткен", "ru": "Утвердил", "en": "Approved by"},
    "up_to": {"kk": "мерзімге дейін", "ru": "по состоянию на", "en": "up to"},
    "now": {"kk": "қазір", "ru": "сейчас", "en": "now"},
    "since": {"kk": "оқиғалар содан бері", "ru": "событий с тех пор", "en": "events since"},
    "unapproved": {"kk": "Іске асырушы серіктес әлі бекітпеген",
                   "ru": "Реализующий партнёр ещё не утвердил данные",
                   "en": "Not yet approved by the implementing partner"},
    # the gains
    "gains": {"kk": "Өсім (сәйкес оқушылар), 95 % сенім аралығы",
              "ru": "Прирост (сопоставленные учащиеся), 95 % доверительный интервал",
              "en": "Gain (matched pupils), 95 % confidence interval"},
    "group": {"kk": "топ", "ru": "группа", "en": "group"},
    "gain": {"kk": "өсім", "ru": "прирост", "en": "gain"},
    "gain_scale": {"kk": "өсім шкаласы", "ru": "шкала прироста", "en": "scale of the gain"},
    "interval": {"kk": "95 % аралық", "ru": "95 % интервал", "en": "95 % interval"},
    "pupils_schools": {"kk": "оқушылар / мектептер", "ru": "учащиеся / школы",
                       "en": "pupils / schools"},
    "did": {"kk": "айырмашылықтар айырмасы", "ru": "разность разностей",
            "en": "difference in differences"},
    "all": {"kk": "бағдарлама, барлығы", "ru": "программа, все", "en": "programme, all"},
    "comparison": {"kk": "салыстыру тобы", "ru": "группа сравнения",
                   "en": "comparison group"},
    "streaming": {"kk": "ағындық оқыту", "ru": "потоковое обучение", "en": "streaming"},
    "online_teaching": {"kk": "онлайн оқыту", "ru": "онлайн-обучение",
                        "en": "online teaching"},
    "hub_and_magnet": {"kk": "тірек және магнит мектептер", "ru": "опорные и магнитные школы",
                       "en": "hub and magnet schools"},
    "digital_solutions": {"kk": "цифрлық шешімдер", "ru": "цифровые решения",
                          "en": "digital solutions"},
}


def label(key: str, lang: str) -> str:
    """A word the page always has."""
    return LABELS[key][lang]


def word(key: str, lang: str) -> str:
    """A word for a key that may come from the data (a development model): the key itself,
    readably, when it has no name yet."""
    names = LABELS.get(key)
    return names[lang] if names else key.replace("_", " ")


LABELS.update(FUNDER_WORDS)
