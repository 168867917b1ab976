"""The schools' development (the Uralsk model): the catalogue's figures of the strategies
they adopted and the partnerships they signed.

A school counts once however many strategies it adopted, dated by its earliest; every
memorandum signed counts. Each figure is SQL over the read model (`actual`, `events`, as the
catalogue's) and a count over the reconciliation's fold of the logs.
"""

from __future__ import annotations

from services.reporting.figures.fold import Fold
from services.reporting.figures.indicator import Indicator


def count_strategies(fold: Fold, p: str) -> int:
    return len({org for q, org in fold.strategies.values() if q == p})


def count_partnerships(fold: Fold, p: str) -> int:
    return sum(q == p for q, _ in fold.partnerships.values())


def indicators() -> list[Indicator]:
    return [
        Indicator("strategies_adopted", {"kk": "Даму стратегиясын қабылдаған мектептер",
                                         "ru": "Школы, принявшие стратегию развития",
                                         "en": "Schools with a development strategy"},
                  "SELECT count(DISTINCT organisation_id) FROM {s}.strategies"
                  " WHERE programme_id = %(p)s",
                  "SELECT DISTINCT ON (organisation_id) by_src AS src, by_nid AS nid,"
                  " 1 AS value, jsonb_build_object('organisation_id', organisation_id,"
                  " 'strategy_id', strategy_id) AS fields, adopted_on AS day"
                  " FROM {s}.strategies WHERE programme_id = %(p)s"
                  " ORDER BY organisation_id, adopted_on, by_nid",
                  count_strategies, targetable=False),
        Indicator("partnerships_signed", {"kk": "Қол қойылған әріптестік меморандумдары",
                                          "ru": "Подписано меморандумов о партнёрстве",
                                          "en": "Partnership memoranda signed"},
                  "SELECT count(*) FROM {s}.partnerships WHERE programme_id = %(p)s",
                  "SELECT by_src AS src, by_nid AS nid, 1 AS value, jsonb_build_object("
                  "'partnership_id', partnership_id, 'organisation_id', organisation_id,"
                  " 'partner_name', partner_name) AS fields, signed_on AS day"
                  " FROM {s}.partnerships WHERE programme_id = %(p)s",
                  count_partnerships, targetable=False),
    ]
