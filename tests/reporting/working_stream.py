"""A small programme whose cabinets break and get mended and whose schools adopt strategies,
launch projects and sign memoranda: made by the registry's and the equipment's real
Applications on SQLite and mapped to the public envelopes they publish (the development
facts are made from their contracts).

What it holds (the tests' expectations are read from here):
- S0 (95 pupils): a robotics cabinet at 12 Mbps and a science lab at 8.4 Mbps, both
  commissioned; a fault on each, both resolved (in 2 and in 5 days). Two strategies
  (the later one in force), one project.
- S1 (50 pupils): a combined cabinet at 25 Mbps, a fault open. Two memoranda.
- S2 (60 pupils, in a district the classifier has not named): a combined cabinet delivered,
  not commissioned, a fault open. One memorandum, with a partner S1 also signed with.
- Money: QH (equipment) and AK (methodology); spending by category on each.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from services.equipment.app import EquipmentApplication
from services.equipment.contracts import CONTRACTS as EQUIPMENT
from services.equipment.domain import Cabinet
from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS as REGISTRY
from services.reporting.ingest import projections
from shared.contracts import REGISTRY as CONTRACTS
from shared.contracts.envelope import Envelope
from tests.reporting.conftest import fresh_schema
from tests.reporting.stream import PROFILE, envelopes_of, sqlite

P = "oral"
SCHOOLS = {"S0": ("952", 95, "273630100"), "S1": ("953", 50, "273630100"),
           "S2": ("954", 60, "271030100")}
SPEEDS = {("S0", "online_robotics"): Decimal("12"), ("S0", "science_lab"): Decimal("8.4"),
          ("S1", "combined"): Decimal("25")}
# (school, kind, fault, reported on, resolved on or None)
FAULTS = [("S0", "online_robotics", "F1", date(2024, 10, 1), date(2024, 10, 3)),
          ("S0", "science_lab", "F3", date(2024, 11, 5), date(2024, 11, 10)),
          ("S1", "combined", "F2", date(2024, 11, 1), None),
          ("S2", "combined", "F4", date(2024, 11, 2), None)]
# How a school's district reads in the report: named by the classifier, or not (Uralsk city's
# code, which this stream never names).
SCHOOL = {"district_name_kk": "Бөрлі ауданы", "district_name_ru": "Бурлинский район",
          "district_name_en": "Burli district", "name_known": True, "district_code": "2736"}
UNNAMED = {"district_name_kk": None, "district_name_ru": None, "district_name_en": None,
           "name_known": False, "district_code": "2710"}
SPENT = [("QH", "PO-7", 400_000, "seminars"), ("QH", "PO-8", 100_000, "travel"),
         ("AK", "AK-1", 50_000, "materials"), ("QH", "PO-9", 25_000, "seminars")]


def registry_events(app: RegistryApplication) -> None:
    app.register_funder(funder_id="qh", name_kk="Қор", name_ru="Фонд", name_en="Fund",
                        organisation_type="60", iati_ref=None)
    app.launch_programme(programme_id=P, name_kk="Орал", name_ru="Уральск", name_en="Oral",
                         regions=["27"], start=date(2024, 1, 1), end=date(2025, 12, 31),
                         models=["school_development"], budget_kzt=9_000_000)
    for commitment, scope, amount in (("QH", "equipment", 6_000_000),
                                      ("AK", "training", 1_000_000)):
        app.commit_funding(programme_id=P, funder_id="qh", commitment_id=commitment,
                           scope=scope, amount_kzt=amount, committed_on=date(2024, 2, 1))
    app.record_disbursement(P, "QH", "PAY-1", 5_000_000, date(2024, 3, 1))
    app.name_place("270000000", "region", "Батыс Қазақстан облысы",
                   "Западно-Казахстанская область", "West Kazakhstan Region")
    app.name_place("273600000", "district", "Бөрлі ауданы", "Бурлинский район",
                   "Burli district")
    for school, (bin_tail, pupils, kato) in SCHOOLS.items():
        app.register_organisation(school_year="2024-2025",
                                  profile={**PROFILE, "pupils": pupils},
                                  organisation_id=school, bin=f"940140000{bin_tail}",
                                  kind="school", name_kk="Мектеп", name_ru=f"Школа {school}",
                                  name_en=None, kato=kato)
        app.join_programme(P, school, "school_development", date(2024, 2, 1))


# (type, fields): the school's development facts as the registry publishes them.
DEVELOPMENT = [
    ("StrategyAdopted", {"strategy_id": "ST-1", "organisation_id": "S0", "title": "Мектеп 2024",
                         "adopted_on": "2024-03-01", "valid_until": None}),
    ("StrategyAdopted", {"strategy_id": "ST-2", "organisation_id": "S0",
                         "title": "Мектеп 2025-2027", "adopted_on": "2025-01-10",
                         "valid_until": "2027-08-31"}),
    ("ProjectLaunched", {"project_id": "PR-1", "organisation_id": "S0",
                         "title": "Робототехника үйірмесі", "launched_on": "2024-04-01",
                         "strategy_id": "ST-1"}),
    *[("PartnershipSigned", {"partnership_id": m, "organisation_id": school,
                             "partner_name": partner, "partner_kind": kind, "signed_on": on,
                             "purpose": "интернет", "memorandum_ref": f"№{m}"})
      for m, school, partner, kind, on in (
          ("M-1", "S1", "Казахтелеком", "business", "2024-05-02"),
          ("M-2", "S1", "ЗКАТУ", "university", "2024-06-03"),
          ("M-3", "S2", "Казахтелеком", "business", "2024-05-20"))]]


def development_events(after: Envelope) -> list[Envelope]:
    """The development facts as the registry's next notifications after `after`, each
    validated by its public contract (made here so that these tests read the contract, not
    the registry's commands)."""
    out = []
    for n, (event_type, fields) in enumerate(DEVELOPMENT, start=1):
        schema = CONTRACTS.instance(event_type, 1)
        out.append(Envelope(source=after.source, type=event_type,
                            time=after.time + timedelta(milliseconds=n),
                            subject=f"{event_type}-{n}", schemaversion=1,
                            notificationid=after.notificationid + n, subjectversion=1,
                            data=schema.dump(schema.load({"programme_id": P, **fields}))))
    return out


def equipment_events(app: EquipmentApplication, registry: list[Envelope]) -> None:
    app.set_allocation_rule(P, threshold_pupils=80, above=["online_robotics", "science_lab"],
                            at_or_below=["combined"], kinds=["school"])
    for envelope in registry:
        app.apply_registry_fact(envelope.type, envelope.data)
    cabinets = {key: app.find(Cabinet.create_id(P, *key), Cabinet)
                for key in (("S0", "online_robotics"), ("S0", "science_lab"),
                            ("S1", "combined"), ("S2", "combined"))}
    app.procure("K1", "Supplier", "QH", date(2024, 4, 1),
                [{"cabinet_id": c.id, "cost_kzt": 1_000_000} for c in cabinets.values()])
    for commitment, reference, amount, category in SPENT:
        app.record_expenditure(commitment, reference, amount, date(2024, 5, 2), category)
    for key, cabinet in cabinets.items():
        app.deliver(cabinet.id, date(2024, 6, 1), [{"item": "laptop", "quantity": 10}], "ST")
        if key in SPEEDS:
            app.commission(cabinet.id, date(2024, 6, 9), SPEEDS[key])
    for school, kind, fault, reported, _ in FAULTS:
        app.report_fault(cabinets[(school, kind)].id, fault, reported, "no power")
    for school, kind, fault, _, resolved in FAULTS:
        if resolved is not None:
            app.resolve_fault(cabinets[(school, kind)].id, fault, resolved, "replaced")


def stream(tmp_path) -> list[Envelope]:
    registry = sqlite(RegistryApplication, tmp_path, "registry")
    registry_events(registry)
    out = envelopes_of(registry, REGISTRY)
    out += development_events(out[-1])
    equipment = sqlite(EquipmentApplication, tmp_path, "equipment")
    equipment_events(equipment, out)
    out += envelopes_of(equipment, EQUIPMENT)
    for app in (registry, equipment):
        app.close()
    return out


def applied(database, events: list[Envelope], seed: int | None = None, batch: int = 7) -> str:
    """A fresh read model with `events` applied, shuffled by `seed`, a few at a time."""
    delivery = list(events)
    if seed is not None:
        random.Random(seed).shuffle(delivery)
    schema = fresh_schema(database)
    for start in range(0, len(delivery), batch):
        projections.handle_batch(database, delivery[start:start + batch], schema)
    return schema
