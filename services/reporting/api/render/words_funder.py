"""The words of what a funder asks first (where the money went, whether the cabinets work,
how far each indicator moved from its baseline, what the schools built with partners), in
Kazakh, Russian and English. words.py adds them to the page's words; `{…}` are filled in."""

from __future__ import annotations

FUNDER_WORDS: dict[str, dict[str, str]] = {
    "pdf": {"kk": "PDF (басып шығаруға)", "ru": "PDF для печати", "en": "PDF to print"},
    "as_of": {"kk": "{moment} жағдай бойынша", "ru": "на {moment}", "en": "as of {moment}"},
    # money
    "commitment": {"kk": "міндеттеме", "ru": "обязательство", "en": "commitment"},
    "held": {"kk": "іске асырушыда", "ru": "у исполнителя", "en": "held by implementer"},
    "undisbursed": {"kk": "әлі аударылмаған", "ru": "ещё не перечислено",
                    "en": "not yet disbursed"},
    "total": {"kk": "барлығы", "ru": "итого", "en": "total"},
    "spending": {"kk": "Қаржы неге жұмсалды", "ru": "На что израсходованы средства",
                 "en": "Where the money went"},
    "cabinets_bought": {"kk": "Кабинеттер (сатып алу)", "ru": "Кабинеты (закупка)",
                        "en": "Cabinets (procurement)"},
    "money_note": {"kk": "Әр міндеттеме бір шкалада: жұмсалғаны (толық), іске асырушыда"
                         " тұрғаны (аударылған, бірақ әлі жұмсалмаған; ашық түс) және әлі"
                         " аударылмағаны (бос). Жолақтың ұзындығы — міндеттеме.",
                   "ru": "Каждое обязательство в одном масштабе: израсходовано (заливка), у"
                         " исполнителя (перечислено, но ещё не израсходовано; светлая"
                         " заливка) и ещё не перечислено (контур). Длина полосы —"
                         " обязательство.",
                   "en": "Each commitment on one scale: spent (filled), held by the"
                         " implementer (disbursed, not yet spent; light) and not yet"
                         " disbursed (outlined). The bar's length is what was committed."},
    "held_note": {"kk": "Іске асырушыда: аударылғаны минус жұмсалғаны — қаржыландырушы"
                        " төлеген, бірақ әлі жұмсалмаған ақша. Теріс сома: іске асырушы"
                        " қаржыландырушы аударғаннан көп жұмсады (оның төлемдерінен бұрын,"
                        " өз немесе басқа қаражатынан), айырмасын қаржыландырушы әлі"
                        " аударуы керек. Қалғаны: міндеттеме минус жұмсалғаны.",
                  "ru": "У исполнителя: перечислено минус израсходовано — деньги, которые"
                        " источник уже выплатил, но которые ещё не израсходованы."
                        " Отрицательная сумма: исполнитель израсходовал больше, чем источник"
                        " перечислил (опережая его платежи, из своих или других средств),"
                        " и разницу источнику ещё предстоит перечислить. Остаток:"
                        " обязательство минус израсходованное.",
                  "en": "Held by the implementer: disbursed minus spent, money the funder"
                        " has paid out that is not spent yet. A negative amount means the"
                        " implementer has spent more than the funder has paid so far (ahead"
                        " of the funder's payments, from its own or other funds); the funder"
                        " has the difference still to pay. Remaining: committed minus"
                        " spent."},
    # indicators
    "progress_from_baseline": {"kk": "бастапқыдан бергі жол", "ru": "прогресс от входного",
                               "en": "progress from baseline"},
    "points_of": {"kk": "{done} / {needed} пункт", "ru": "{done} из {needed} п. п.",
                  "en": "{done} of {needed} points"},
    "count_of": {"kk": "{done} / {needed}", "ru": "{done} из {needed}",
                 "en": "{done} of {needed}"},
    "indicators_note": {"kk": "Бастапқыдан бергі жол: бастапқы деңгейден мақсатқа дейінгі"
                              " жолдың қаншасы өтілді.",
                        "ru": "Прогресс от входного: какая часть пути от входного уровня до"
                              " цели пройдена.",
                        "en": "Progress from baseline: how much of the way from the baseline"
                              " to the target has been covered."},
    # cabinets
    "cabinets": {"kk": "Кабинеттер жұмыс істей ме", "ru": "Работают ли кабинеты",
                 "en": "Do the cabinets work"},
    "allocated": {"kk": "бөлінді", "ru": "распределено", "en": "allocated"},
    "delivered": {"kk": "жеткізілді", "ru": "поставлено", "en": "delivered"},
    "commissioned": {"kk": "іске қосылды", "ru": "введено", "en": "commissioned"},
    "working": {"kk": "жұмыс істейді", "ru": "работают", "en": "working"},
    "faults_reported": {"kk": "тіркелген ақаулар", "ru": "заявлено неисправностей",
                        "en": "faults reported"},
    "faults_open": {"kk": "ашық ақаулар", "ru": "открытые неисправности",
                    "en": "faults open"},
    "faults_resolved": {"kk": "жойылған ақаулар", "ru": "устранено неисправностей",
                        "en": "faults resolved"},
    "days_to_resolve": {"kk": "жоюға кеткен күн: медиана / ең ұзағы",
                        "ru": "дней на устранение: медиана / дольше всего",
                        "en": "days to resolve: median / longest"},
    "internet_median": {"kk": "интернет жылдамдығы, медиана",
                        "ru": "скорость интернета, медиана", "en": "internet speed, median"},
    "mbps": {"kk": "Мбит/с", "ru": "Мбит/с", "en": "Mbps"},
    "cabinets_below_need": {"kk": "{need} Мбит/с-тан баяу кабинеттер",
                            "ru": "кабинетов медленнее {need} Мбит/с",
                            "en": "cabinets below {need} Mbps"},
    "schools_below_need": {"kk": "{need} Мбит/с-тан баяу мектептер",
                           "ru": "школ медленнее {need} Мбит/с",
                           "en": "schools below {need} Mbps"},
    "schools_to_watch": {"kk": "Ақауы ашық немесе интернеті баяу мектептер",
                         "ru": "Школы с открытой неисправностью или медленным интернетом",
                         "en": "Schools with an open fault or slow internet"},
    "internet_slowest": {"kk": "интернет, Мбит/с (ең баяу кабинет)",
                         "ru": "интернет, Мбит/с (самый медленный кабинет)",
                         "en": "internet, Mbps (slowest cabinet)"},
    "speed_heading": {"kk": "Мектептер интернет жылдамдығы бойынша (ең баяу кабинеті),"
                            " Мбит/с; ✗ — {need} Мбит/с-тан төмен",
                      "ru": "Школы по скорости интернета (самый медленный кабинет), Мбит/с;"
                            " ✗ — ниже {need} Мбит/с",
                      "en": "Schools by internet speed (their slowest cabinet), Mbps;"
                            " ✗ below {need} Mbps"},
    "schools": {"kk": "мектептер", "ru": "школ", "en": "schools"},
    "cabinets_count": {"kk": "кабинеттер", "ru": "кабинетов", "en": "cabinets"},
    "school_name": {"kk": "мектеп", "ru": "школа", "en": "school"},
    "cabinets_note": {"kk": "Жұмыс істейді: іске қосылған және қазір ашық ақауы жоқ."
                            " Бағдарламаға әр кабинетке {need} Мбит/с қажет; мектептің"
                            " жылдамдығы — оның ең баяу кабинетінің өлшенген жылдамдығы.",
                      "ru": "Работают: введены и без открытой сейчас неисправности."
                            " Программе нужно {need} Мбит/с на кабинет; скорость школы —"
                            " измеренная скорость её самого медленного кабинета.",
                      "en": "Working: commissioned, with no fault open now. The programme"
                            " needs {need} Mbps per cabinet; a school's speed is its slowest"
                            " cabinet's measured speed."},
    "all_schools_fine": {"kk": "Барлық мектептің кабинеттері жұмыс істейді және жылдамдығы"
                               " жеткілікті.",
                         "ru": "Во всех школах кабинеты работают и скорости хватает.",
                         "en": "Every school's cabinets work, with internet fast enough."},
    # development (strategies, projects, partners)
    "development": {"kk": "Мектептердің даму стратегиялары, жобалары мен серіктестері",
                    "ru": "Стратегии развития, проекты и партнёры школ",
                    "en": "Schools' development strategies, projects and partners"},
    "strategies_adopted": {"kk": "стратегия қабылдаған мектептер",
                           "ru": "школ приняли стратегию",
                           "en": "schools with an adopted strategy"},
    "projects": {"kk": "жобалар", "ru": "проекты", "en": "projects"},
    "partners": {"kk": "серіктестер", "ru": "партнёры", "en": "partners"},
    "memoranda": {"kk": "қол қойылған меморандумдар", "ru": "подписано меморандумов",
                  "en": "memoranda signed"},
    "strategy": {"kk": "даму стратегиясы", "ru": "стратегия развития",
                 "en": "development strategy"},
    "adopted_on": {"kk": "қабылданды", "ru": "принята", "en": "adopted"},
    "valid_until": {"kk": "дейін", "ru": "до", "en": "until"},
    "launched_on": {"kk": "басталды", "ru": "начат", "en": "launched"},
    "memorandum": {"kk": "меморандум", "ru": "меморандум", "en": "memorandum"},
    # outcomes
    "scale": {"kk": "шкала, шекті балл", "ru": "шкала, порог", "en": "scale, threshold"},
    "scale_threshold": {"kk": "0–{max} балл, шекті балл {threshold}",
                        "ru": "0–{max} баллов, порог {threshold}",
                        "en": "0–{max} points, threshold {threshold}"},
    "at_or_above": {"kk": "шекті балл және одан жоғары",
                    "ru": "порог и выше", "en": "at or above threshold"},
    "by_group": {"kk": "Мектептер тобы бойынша өсім (сәйкес оқушылар)",
                 "ru": "Прирост по группам школ (сопоставленные учащиеся)",
                 "en": "Gain by group of schools (matched pupils)"},
    "small_class": {"kk": "шағын жинақты мектептер", "ru": "малокомплектные школы",
                    "en": "small schools"},
    "other": {"kk": "басқа мектептер", "ru": "остальные школы", "en": "other schools"},
    "management_course": {"kk": "басшыларға арналған курс", "ru": "курс для руководителей",
                          "en": "management course"},
    "partner_league": {"kk": "серіктес директорлар лигасы",
                       "ru": "лига директоров-партнёров", "en": "partner-directors league"},
}
