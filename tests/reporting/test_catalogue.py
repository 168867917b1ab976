"""The catalogue is the one definition of each indicator: one entry added there appears in
the report, the reconciliation, the events behind the figure, the dashboard and the IATI
results, and the registry's public list is its copy."""

import pytest

from services.reporting.api.render import dashboard, iati
from services.reporting.figures import behind, catalogue, reconcile, reports
from services.reporting.figures.catalogue import CATALOGUE, Indicator
from shared.contracts.indicators import MEASURES
from tests.reporting.stream import P

DROPPED = Indicator(
    "teachers_dropped", {"kk": "Оқуды тастаған мұғалімдер", "ru": "Выбывшие учителя",
                         "en": "Teachers who dropped out"},
    "SELECT count(*) FROM {s}.enrolments WHERE programme_id = %(p)s AND role = 'teacher'"
    " AND status = 'dropped'",
    "SELECT ended_src AS src, ended_nid AS nid, 1 AS value, jsonb_build_object("
    "'participant_id', participant_id) AS fields, ended_on AS day FROM {s}.enrolments"
    " WHERE programme_id = %(p)s AND role = 'teacher' AND status = 'dropped'",
    lambda fold, p: sum(r["status"] == "dropped" and r["role"] == "teacher"
                        for r in fold.enrolments.values() if r["programme_id"] == p))


def test_the_registrys_public_list_is_the_catalogues():
    assert MEASURES == catalogue.public_list()


def test_every_indicator_is_named_in_three_languages_and_computed_every_way():
    for entry in CATALOGUE.values():
        assert set(entry.labels) == {"kk", "ru", "en"} and all(entry.labels.values())
        if entry.parts is None:
            assert entry.actual and entry.events and entry.count is not None, entry.name
        else:
            assert all(CATALOGUE[part].parts is None for part in entry.parts)


@pytest.mark.integration
def test_one_entry_adds_an_indicator_everywhere(monkeypatch, database, events, in_order):
    _, schema = in_order
    monkeypatch.setitem(CATALOGUE, DROPPED.name, DROPPED)
    with database, database.cursor() as cur:
        assert reports.figures(cur, P, schema)["teachers_dropped"] == 1
        assert reconcile.differences(events, cur, [P], schema) == []
        page = behind.page(cur, schema, P, "teachers_dropped", 0, 10)
        assert (page["figure"], page["count"], page["events"][0]["type"]) == (
            1, 1, "TrainingDropped")
        assert "teachers_dropped" in behind.figures()
        cur.execute(f"INSERT INTO {schema}.targets VALUES (%s, 'teachers_dropped', 'unit',"
                    " 0, 0, '2024-12-31', 1)", (P,))
        report = reports.programme_report(cur, P, schema)
        document = iati.activity_xml(cur, P, schema).decode()
        database.rollback()
    [line] = [i for i in report["indicators"] if i["indicator"] == "teachers_dropped"]
    assert line["actual"] == line["progress"][-1]["actual"] == 1
    assert "Выбывшие учителя" in dashboard.page(report, [], "ru", {})
    assert "Teachers who dropped out" in document
