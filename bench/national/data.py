"""The national data set, saved through the services' own Applications and aggregates (every
event real, in the services' stores; the read model is built later by `rebuild`).

Sizes at scale 1.0 are issue 35's: 7,687 schools (5,260 rural, about a third small-class) in
the KATO districts of data/kato, one national programme that all of them joined, funders,
commitments and spending; equipment's sites and a cabinet for every small-class school;
350,000 teachers and 3.5 million pupils (people.py). Many aggregates go in one save (one
transaction), as tests/shared/relay_helpers.save_enrolments does; no RPC.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from eventsourcing.domain import Aggregate

from scripts.seed_registry import _Maker
from services.equipment.app import EquipmentApplication
from services.equipment.domain import AllocationRule, Cabinet, CommitmentLedger, Site
from services.registry.app import RegistryApplication
from services.registry.domain import (
    BinClaim,
    CommitmentClaim,
    Funder,
    Organisation,
    Participation,
    Programme,
)
from services.registry.kato import place
from services.registry.schemas import SetTarget
from shared.config import event_store_env
from shared.validation import load

KATO = Path(__file__).resolve().parents[2] / "data" / "kato" / "kato-seed-regions.csv"
PROGRAMME = "national-2024"
SCHOOL_YEAR = "2024-2025"
START, END = date(2024, 8, 1), date(2025, 7, 31)
MINISTRY = "ministry-of-education"  # accountable: the bench's token is its
FOUNDATION = "national-foundation"
SMALL_CLASS_MAX_PUPILS = 80  # the allocation rule gives a cabinet at or below this
PER_SAVE = 250  # aggregates per save (one transaction)


@dataclass(frozen=True)
class Sizes:
    schools: int
    rural: int
    small_class: int
    teachers: int
    pupils: int
    categorised: int  # teachers with a qualification category attested

    @classmethod
    def at(cls, scale: float) -> Sizes:
        schools = max(3, round(7687 * scale))
        teachers = max(20, round(350_000 * scale))
        return cls(schools=schools, rural=round(schools * 5260 / 7687),
                   small_class=round(schools / 3), teachers=teachers,
                   pupils=max(schools * 30, round(3_500_000 * scale)),
                   categorised=teachers // 5)


@dataclass(frozen=True)
class School:
    organisation_id: str
    kato: str
    district_code: str
    locality: str
    small_class: bool
    pupils: int
    teachers: int


def store_env(store: dict[str, Any]) -> dict[str, str]:
    return event_store_env({"EVENT_STORE": store})


def save_in_batches(app: Any, aggregates: Iterable[Aggregate], per_save: int = PER_SAVE
                    ) -> int:
    """Save the aggregates `per_save` at a time; returns the events saved."""
    events, batch = 0, []
    for aggregate in aggregates:
        batch.append(aggregate)
        if len(batch) >= per_save:
            events += sum(len(a.pending_events) for a in batch)
            app.save(*batch)
            batch = []
    if batch:
        events += sum(len(a.pending_events) for a in batch)
        app.save(*batch)
    return events


def districts() -> list[str]:
    """The four-digit district codes of the KATO extract (level 2: districts and cities)."""
    with KATO.open(encoding="utf-8") as file:
        return [row["te"][:4] for row in csv.DictReader(file) if row["k"] == "2"]


def pupil_counts(sizes: Sizes) -> list[int]:
    """Pupils per school, summing to sizes.pupils: small-class schools 20-80, other rural
    schools from 81, urban ones 3.5 times a rural one's share."""
    small = [20 + (n * 37) % (SMALL_CLASS_MAX_PUPILS - 19) for n in range(sizes.small_class)]
    others = sizes.schools - sizes.small_class
    rural_others = max(0, sizes.rural - sizes.small_class)
    weights = [1.0] * rural_others + [3.5] * (others - rural_others)
    left = max(0, sizes.pupils - sum(small))
    share = left / sum(weights) if weights else 0
    larger = [max(SMALL_CLASS_MAX_PUPILS + 1, round(share * w)) for w in weights]
    counts = small + larger
    if larger:  # the rounding's remainder on the largest school
        counts[-1] = max(SMALL_CLASS_MAX_PUPILS + 1, counts[-1] + sizes.pupils - sum(counts))
    return counts


def schools(sizes: Sizes) -> list[School]:
    """Small-class schools first (all rural), then the other rural ones, then urban."""
    codes = districts()
    out = []
    for n, pupils in enumerate(pupil_counts(sizes)):
        district = codes[n % len(codes)]
        small = n < sizes.small_class
        out.append(School(organisation_id=f"NAT-{n:05d}",
                          kato=f"{district}{30 + n % 50:02d}{1 + n % 9}00",
                          district_code=place(f"{district}30100").district_code,
                          locality="rural" if n < sizes.rural else "urban",
                          small_class=small, pupils=pupils,
                          teachers=max(4, pupils // (9 if small else 14))))
    return out


# ---------------------------------------------------------------- registry
def fill_registry(store: dict[str, Any], all_schools: list[School]) -> int:
    app = RegistryApplication(env=store_env(store))
    try:
        programme = Programme(
            programme_id=PROGRAMME, name_kk="Ұлттық бағдарлама", name_ru="Национальная "
            "программа", name_en="National programme", regions=sorted(
                {s.kato[:2] for s in all_schools}), start=START, end=END,
            models=["digital_solutions", "management_course"], budget_kzt=200_000_000_000)
        funders = [Funder(funder_id=MINISTRY, name_kk="Оқу-ағарту министрлігі",
                          name_ru="Министерство просвещения", name_en="Ministry of Education",
                          organisation_type="10", iati_ref=None),
                   Funder(funder_id=FOUNDATION, name_kk="Ұлттық қор", name_ru="Национальный "
                          "фонд", name_en="National Foundation", organisation_type="60",
                          iati_ref=None)]
        programme.assign_role(MINISTRY, "accountable")
        for indicator, target in targets(all_schools).items():
            programme.set_target(indicator, target)
        claims = []
        for n, (funder, scope, amount) in enumerate([
                (MINISTRY, "training", 60_000_000_000), (MINISTRY, "equipment", 90_000_000_000),
                (FOUNDATION, "assessment", 20_000_000_000)]):
            commitment_id = f"NAT-COMMIT-{n + 1}"
            programme.commit_funding(commitment_id, funder, scope, amount, date(2024, 8, 15))
            programme.disburse(commitment_id, f"NAT-PAY-{n + 1}", amount // 2,
                               date(2024, 10, 1))
            claims.append(CommitmentClaim(commitment_id=commitment_id, programme_id=PROGRAMME))
        events = save_in_batches(app, [programme, *funders, *claims])
        events += save_in_batches(app, _organisations(all_schools))
        events += save_in_batches(app, (Participation(
            programme_id=PROGRAMME, organisation_id=s.organisation_id,
            model="digital_solutions", joined_on=date(2024, 9, 2), kind="school",
            region_code=s.kato[:2], district_code=s.district_code) for s in all_schools))
        return events
    finally:
        app.close()


def targets(all_schools: list[School]) -> dict[str, dict[str, Any]]:
    """The national targets, as the registry's set_target command loads them (its schema)."""
    cabinets = sum(s.pupils <= SMALL_CLASS_MAX_PUPILS for s in all_schools)
    aims = {"teachers_trained": round(sum(s.teachers for s in all_schools) * 0.8),
            "organisations_reached": len(all_schools), "schools_equipped": cabinets,
            "cabinets_commissioned": cabinets,
            "pupils_reached": sum(s.pupils for s in all_schools)}
    out = {}
    for indicator, aim in aims.items():
        loaded = load(SetTarget(), {
            "programme_id": PROGRAMME, "indicator": indicator, "ascending": True,
            "baseline": {"year": START.year, "value": "0"},
            "periods": [{"start": START.isoformat(), "end": END.isoformat(),
                         "target": str(aim)}]})
        out[indicator] = {k: v for k, v in loaded.items()
                          if k not in ("programme_id", "indicator")}
    return out


def _organisations(all_schools: list[School]) -> Iterable[Aggregate]:
    make = _Maker(random.Random(35))
    for s in all_schools:
        bin_ = make.bin()
        yield Organisation(
            organisation_id=s.organisation_id, bin=bin_, kind="school",
            name_kk=f"№{s.organisation_id[4:]} мектеп", name_ru=f"Школа №{s.organisation_id[4:]}",
            name_en=None, kato=s.kato, region_code=s.kato[:2], district_code=s.district_code,
            school_year=SCHOOL_YEAR, profile=profile(s))
        yield BinClaim(bin=bin_, organisation_id=s.organisation_id)


def profile(s: School) -> dict[str, Any]:
    return {"locality": s.locality, "small_class": s.small_class, "pupils": s.pupils,
            "teachers": s.teachers, "network_role": None}


# ---------------------------------------------------------------- equipment
def fill_equipment(store: dict[str, Any], all_schools: list[School]) -> int:
    """What equipment learns from the registry's events (a site per school), the rule, a
    combined cabinet for every small-class school procured, delivered and commissioned, the
    ledgers of the commitments and their spending."""
    app = EquipmentApplication(env=store_env(store))
    try:
        rule = AllocationRule(programme_id=PROGRAMME, threshold_pupils=SMALL_CLASS_MAX_PUPILS,
                              above=[], at_or_below=["combined"], kinds=["school"])
        ledgers = {f"NAT-COMMIT-{n + 1}": CommitmentLedger(
            commitment_id=f"NAT-COMMIT-{n + 1}", programme_id=PROGRAMME, funder_id=funder,
            scope=scope, amount_kzt=amount) for n, (funder, scope, amount) in enumerate([
                (MINISTRY, "training", 60_000_000_000), (MINISTRY, "equipment", 90_000_000_000),
                (FOUNDATION, "assessment", 20_000_000_000)])}
        for n, (commitment, category) in enumerate([
                ("NAT-COMMIT-1", "seminars"), ("NAT-COMMIT-1", "trainers_fees"),
                ("NAT-COMMIT-3", "assessment"), ("NAT-COMMIT-2", "administration")]):
            ledgers[commitment].record_expenditure(f"NAT-PO-{n + 1}", 500_000_000,
                                                   date(2024, 11, 1) + timedelta(days=n), category)
        events = save_in_batches(app, [rule])
        events += save_in_batches(app, _sites(all_schools))
        events += save_in_batches(app, _cabinets(all_schools, ledgers["NAT-COMMIT-2"]))
        events += save_in_batches(app, ledgers.values())
        return events
    finally:
        app.close()


def _sites(all_schools: list[School]) -> Iterable[Aggregate]:
    for s in all_schools:
        site = Site(organisation_id=s.organisation_id)
        site.record_profile(SCHOOL_YEAR, "school", s.district_code, s.pupils, s.small_class)
        site.record_joined(PROGRAMME)
        yield site


def _cabinets(all_schools: list[School], ledger: CommitmentLedger) -> Iterable[Aggregate]:
    """A supply contract per 100 cabinets, charged to the ledger once, as `procure` does."""
    cost, contracts = 6_000_000, dict[str, int]()
    for n, s in enumerate(x for x in all_schools if x.pupils <= SMALL_CLASS_MAX_PUPILS):
        cabinet = Cabinet(programme_id=PROGRAMME, organisation_id=s.organisation_id,
                          kind="combined", district_code=s.district_code, pupils=s.pupils)
        contract = f"NAT-EQ-{n // 100:04d}"
        procured = date(2024, 9, 2) + timedelta(days=n // 100)
        cabinet.procure({"contract_ref": contract, "supplier": "TOO «Digital Mektep»",
                         "commitment_id": ledger.commitment_id, "funder_id": ledger.funder_id,
                         "cost_kzt": cost, "procured_on": procured})
        contracts[contract] = contracts.get(contract, 0) + cost
        delivered = procured + timedelta(days=30 + n % 40)
        cabinet.deliver(delivered, [{"item": "interactive panel", "quantity": 1},
                                    {"item": "laptop", "quantity": 10}], f"STAFF-{n}")
        cabinet.commission(delivered + timedelta(days=7), Decimal("12.5"))
        yield cabinet
    for contract, total in contracts.items():
        ledger.charge(contract, total)
