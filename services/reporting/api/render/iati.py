"""A programme as an IATI 2.03 activity (https://iatistandard.org/en/iati-standard/203/):
participating organisations with their roles, budget, transactions (commitments,
disbursements, procurement and other expenditure),
DAC 5 sectors, and results with each targeted indicator's baseline, target and actual.

Built from the read model only, like every report; validated in the tests against the
official schema in ../shared/iati-2.03.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: N817 - the conventional alias
from datetime import UTC, date, datetime
from typing import Any

from psycopg2 import sql

from services.reporting.api.render.iati_location import add_locations
from services.reporting.figures import catalogue, reports
from services.reporting.ingest.tables import SCHEMA, q

REPORTING_ORG = ("KZ-BAQYLAU", "Baqylau monitoring platform")
# DAC 5 purpose codes: 11130 teacher training, 11120 education facilities and training.
SECTORS = {"11130": 60, "11120": 40}
SECTORS_WITH_EQUIPMENT = {"11130": 30, "11120": 70}


def _text(parent: ET.Element, tag: str, text: str, lang: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    narrative = ET.SubElement(element, "narrative")
    if lang:
        narrative.set("xml:lang", lang)
    narrative.text = text
    return element


def _value(parent: ET.Element, tag: str, amount: int, value_date: date) -> None:
    value = ET.SubElement(parent, tag, {"currency": "KZT", "value-date": value_date.isoformat()})
    value.text = str(amount)


def activity_xml(cur: Any, programme_id: str, schema: str = SCHEMA) -> bytes:
    report = reports.programme_report(cur, programme_id, schema)
    start, end = report["period"]["start"], report["period"]["end"]
    root = ET.Element("iati-activities", {
        "version": "2.03", "generated-datetime": datetime.now(UTC).replace(
            microsecond=0).isoformat()})
    activity = ET.SubElement(root, "iati-activity", {"default-currency": "KZT",
                                                     "xml:lang": "en"})
    ET.SubElement(activity, "iati-identifier").text = f"{REPORTING_ORG[0]}-{programme_id}"
    reporting_org = ET.SubElement(activity, "reporting-org",
                                  {"ref": REPORTING_ORG[0], "type": "90"})
    ET.SubElement(reporting_org, "narrative").text = REPORTING_ORG[1]
    title = ET.SubElement(activity, "title")
    for lang, name in (("en", report["name_en"]), ("kk", report["name_kk"]),
                       ("ru", report["name_ru"])):
        if name:
            ET.SubElement(title, "narrative", {"xml:lang": lang}).text = name
    _text(activity, "description", f"{report['name_en'] or report['name_ru']}: "
          "rural school development programme monitored by Baqylau.")
    for funder_id, funder_name, organisation_type, role in _participants(cur, programme_id,
                                                                         schema):
        org = ET.SubElement(activity, "participating-org", {
            "ref": f"KZ-BAQYLAU-{funder_id}", "type": organisation_type,
            "role": role})
        ET.SubElement(org, "narrative").text = funder_name
    today = date.today()
    ET.SubElement(activity, "activity-status", {"code": "2" if end >= today else "4"})
    ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": start.isoformat()})
    ET.SubElement(activity, "activity-date", {"type": "3", "iso-date": end.isoformat()})
    ET.SubElement(activity, "recipient-country", {"code": "KZ", "percentage": "100"})
    add_locations(activity, cur, programme_id, schema)
    money = report["money"]
    sectors = SECTORS_WITH_EQUIPMENT if money["procured_kzt"] else SECTORS
    for code, percentage in sectors.items():
        ET.SubElement(activity, "sector", {"vocabulary": "1", "code": code,
                                           "percentage": str(percentage)})
    if money["budget_kzt"]:
        budget = ET.SubElement(activity, "budget", {"type": "1", "status": "2"})
        ET.SubElement(budget, "period-start", {"iso-date": start.isoformat()})
        ET.SubElement(budget, "period-end", {"iso-date": end.isoformat()})
        _value(budget, "value", money["budget_kzt"], start)
    for line in _commitments(cur, programme_id, schema):
        _transaction(activity, "2", line["amount_kzt"], line["date"] or start,
                     line["funder_id"], f"Commitment {line['commitment_id']} ({line['scope']})")
    for line in _disbursements(cur, programme_id, schema):
        _transaction(activity, "3", line["amount_kzt"], line["date"] or start,
                     line["funder_id"], f"Disbursement {line['reference']} under "
                     f"{line['commitment_id']}")
    for line in _procurements(cur, programme_id, schema):
        _transaction(activity, "4", line["cost_kzt"], line["date"] or start, line["funder_id"],
                     f"Equipment procured, charged to {line['commitment_id']}")
    for line in _expenditures(cur, programme_id, schema):
        _transaction(activity, "4", line["amount_kzt"], line["date"] or start,
                     line["funder_id"], f"{line['category'].replace('_', ' ').capitalize()}"
                     f" ({line['reference']}), charged to {line['commitment_id']}")
    for indicator in report["indicators"]:
        _result(activity, indicator, start, end)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _transaction(activity: ET.Element, type_code: str, amount: int, when: date,
                 funder_id: str, description: str) -> None:
    transaction = ET.SubElement(activity, "transaction")
    ET.SubElement(transaction, "transaction-type", {"code": type_code})
    ET.SubElement(transaction, "transaction-date", {"iso-date": when.isoformat()})
    _value(transaction, "value", amount, when)
    _text(transaction, "description", description)
    provider = ET.SubElement(transaction, "provider-org", {"ref": f"KZ-BAQYLAU-{funder_id}"})
    ET.SubElement(provider, "narrative").text = funder_id


def _result(activity: ET.Element, indicator: dict[str, Any], start: date, end: date) -> None:
    result = ET.SubElement(activity, "result", {"type": "2", "aggregation-status": "1"})
    title = catalogue.label(indicator["indicator"], "en")
    _text(result, "title", title)
    element = ET.SubElement(result, "indicator", {
        "measure": "1" if indicator["measure"] == "unit" else "2", "ascending": "1"})
    _text(element, "title", title)
    ET.SubElement(element, "baseline", {"year": str(start.year), "iso-date": start.isoformat(),
                                        "value": indicator["baseline"]})
    period = ET.SubElement(element, "period")
    ET.SubElement(period, "period-start", {"iso-date": start.isoformat()})
    ET.SubElement(period, "period-end", {"iso-date": indicator["period_end"].isoformat()
                                         if hasattr(indicator["period_end"], "isoformat")
                                         else str(indicator["period_end"])})
    ET.SubElement(period, "target", {"value": indicator["target"]})
    if indicator["actual"] is None:  # a percentage of nobody yet: no actual to state
        return
    actual = ET.SubElement(period, "actual", {"value": str(indicator["actual"])})
    if indicator["measure"] == "percentage":
        _text(actual, "comment", f"{indicator['numerator']} of {indicator['denominator']}")


def _participants(cur: Any, programme_id: str, schema: str) -> list[tuple[str, str, str, str]]:
    cur.execute(q("SELECT r.funder_id, coalesce(f.name_en, f.name_ru, r.funder_id),"
                  # The role's IATI code as the registry published it with the role.
                  " coalesce(f.organisation_type, '90'), r.iati_role_code"
                  " FROM {s}.funder_roles r"
                  " LEFT JOIN {s}.funders f USING (funder_id) WHERE r.programme_id = %s"
                  " AND r.iati_role_code IS NOT NULL"
                  " ORDER BY r.iati_role_code, r.funder_id", schema), (programme_id,))
    return list(cur.fetchall())


def _lines(cur: Any, programme_id: str, schema: str, table: str, columns: str,
           dated: str, order: str) -> list[dict[str, Any]]:
    """A money table's lines of the programme as dicts, the `dated` column as "date"."""
    cur.execute(q("SELECT {c}, {d} FROM {s}.{t} WHERE programme_id = %s ORDER BY " + order,
                  schema, t=table, d=dated,
                  c=sql.SQL(", ").join(map(sql.Identifier, columns.split(", ")))),
                (programme_id,))
    names = [*columns.split(", "), "date"]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _commitments(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    return _lines(cur, programme_id, schema, "commitments",
                  "commitment_id, funder_id, scope, amount_kzt", "committed_on", "1")


def _disbursements(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    return _lines(cur, programme_id, schema, "disbursements",
                  "commitment_id, funder_id, reference, amount_kzt", "disbursed_on", "5, 1, 3")


def _expenditures(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    return _lines(cur, programme_id, schema, "expenditures",
                  "commitment_id, funder_id, reference, category, amount_kzt", "spent_on",
                  "6, 1, 3")


def _procurements(cur: Any, programme_id: str, schema: str) -> list[dict[str, Any]]:
    cur.execute(q("SELECT commitment_id, funder_id, procured_on, sum(cost_kzt)"
                  " FROM {s}.cabinets WHERE programme_id = %s AND cost_kzt IS NOT NULL"
                  " AND coalesce(allocated, true) GROUP BY 1, 2, 3 ORDER BY 3, 1", schema),
                (programme_id,))
    return [{"commitment_id": c, "funder_id": f, "date": when, "cost_kzt": int(total)}
            for c, f, when, total in cur.fetchall()]
