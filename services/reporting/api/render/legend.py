"""What the outcomes' terms mean, in plain words, in Kazakh, Russian and English: the scale
and threshold, the gain, Cohen's d with its usual reading, the difference in differences
(and what comparison schools are), the 95 % interval."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

TERMS: dict[str, dict[str, str]] = {
    "legend": {"kk": "Бұл сандар нені білдіреді", "ru": "Что означают эти числа",
               "en": "What these numbers mean"},
    "threshold": {
        "kk": "Шкала және шекті балл: әр пәннің тесті 0-ден ең жоғары балға дейін бағаланады;"
              " шекті балл — күтілетін деңгей. Әр кезең үшін шекті балл алған немесе одан"
              " жоғары алған оқушылардың үлесі берілген.",
        "ru": "Шкала и порог: тест по каждому предмету оценивается от 0 до максимального"
              " балла; пороговый балл — ожидаемый уровень. Для каждого раунда указана доля"
              " учащихся, набравших порог и выше.",
        "en": "Scale and threshold: each subject's test is scored from 0 to its maximum; the"
              " threshold is the level expected. For each round, the share of pupils at or"
              " above the threshold is given."},
    "gain": {
        "kk": "Өсім: бір оқушылардың балы бастапқы тестен қорытынды тестке дейін орта есеппен"
              " қанша балға өсті (екі кезеңде де бар оқушылар ғана, пәннің шкаласы бойынша).",
        "ru": "Прирост: на сколько баллов в среднем вырос результат одних и тех же учащихся от"
              " входного теста к итоговому (только учащиеся, писавшие оба теста; в баллах"
              " шкалы предмета).",
        "en": "Gain: how many points the same pupils' scores rose, on average, from the"
              " baseline test to the endline test (only pupils who sat both; in the"
              " subject's points)."},
    "d": {
        "kk": "Әсер мөлшері d (Коэн d): өсімнің оқушылар балдарының шашырауына қатынасы;"
              " онымен әртүрлі пәндер мен шкалаларды салыстыруға болады. Әдеттегі оқылуы:"
              " 0,2-ден төмен — елеусіз, шамамен 0,2 — шағын, 0,5 — орташа, 0,8 және одан"
              " жоғары — үлкен.",
        "ru": "Размер эффекта d (d Коэна): прирост, делённый на разброс результатов"
              " учащихся; позволяет сравнивать разные предметы и шкалы. Обычное прочтение:"
              " меньше 0,2 — пренебрежимо малый, около 0,2 — малый, 0,5 — средний, от 0,8 —"
              " большой.",
        "en": "Effect size d (Cohen's d): the gain divided by how widely pupils' scores vary,"
              " so that subjects and scales can be compared. The usual reading: below 0.2"
              " negligible, about 0.2 small, 0.5 medium, 0.8 or more large."},
    "did": {
        "kk": "Айырмашылықтар айырмасы: бағдарлама мектептерінің өсімі минус салыстыру"
              " мектептерінің сол екі тест бойынша өсімі. Салыстыру мектептері — бағдарламаға"
              " қатыспайтын, сол тестерді сол кезеңдерде тапсырған мектептер: олардың өсімі —"
              " бағдарламасыз да болатын өсім. Сондықтан айырма — бағдарламаның қосқаны"
              " (салыстыру мектептері бағдарлама мектептеріне ұқсас болған шамада).",
        "ru": "Разность разностей: прирост школ программы минус прирост школ сравнения по"
              " тем же двум тестам. Школы сравнения — школы вне программы, писавшие те же"
              " тесты в те же сроки: их прирост — то, что было бы и без программы. Поэтому"
              " разность — то, что добавила программа (насколько школы сравнения похожи на"
              " школы программы).",
        "en": "Difference in differences: the programme schools' gain minus the comparison"
              " schools' gain over the same two tests. Comparison schools are schools outside"
              " the programme that sat the same tests at the same time: their gain is what"
              " would have happened without the programme. So the difference is what the"
              " programme added (as far as the comparison schools are like the programme's)."},
    "interval": {
        "kk": "95 % аралық: шын мән 95 % сенімділікпен жататын аралық (бір мектеп"
              " оқушыларының ұқсастығы ескерілген). Айырмашылықтар айырмасының аралығы 0-ді"
              " қамтымаса, айырма кездейсоқ емес.",
        "ru": "95 % интервал: диапазон, в котором истинное значение лежит с уверенностью"
              " 95 % (с учётом того, что ученики одной школы похожи друг на друга). Если"
              " интервал разности разностей не включает 0, разница не случайна.",
        "en": "95 % interval: the range the true value lies in with 95 % confidence"
              " (allowing for pupils of one school being alike). When the difference in"
              " differences' interval leaves out 0, the difference is not chance."},
    # Cohen's usual reading of |d|
    "negligible": {"kk": "елеусіз", "ru": "пренебрежимо малый", "en": "negligible"},
    "small": {"kk": "шағын", "ru": "малый", "en": "small"},
    "medium": {"kk": "орташа", "ru": "средний", "en": "medium"},
    "large": {"kk": "үлкен", "ru": "большой", "en": "large"},
}
READINGS = ((Decimal("0.8"), "large"), (Decimal("0.5"), "medium"), (Decimal("0.2"), "small"))


def reading(d: Any, lang: str) -> str:
    """Cohen's reading of an effect size: negligible, small, medium or large."""
    size = abs(Decimal(str(d)))
    return TERMS[next((name for bound, name in READINGS if size >= bound),
                      "negligible")][lang]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def section(lang: str) -> str:
    terms = "".join(f"<dt>{escape(term)}</dt><dd>{escape(_sentence(meaning))}</dd>"
                    for term, meaning in (TERMS[key][lang].split(":", 1) for key in
                                          ("threshold", "gain", "d", "did", "interval")))
    return (f'<h3>{escape(TERMS["legend"][lang])}</h3>'
            f'<dl class="legend" data-figure="outcomes-legend">{terms}</dl>')
