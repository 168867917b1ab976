"""The Aktobe pilot's cabinets as data: rule, contracts, deliveries, commissioning, faults.

Given the allocated cabinets (read back from the service), it prices them so that the
contracts total exactly the fund's 2,064,199,025 KZT equipment commitment, and dates their
delivery and commissioning across 2023-2024. Deterministic: the same cabinets give the same
plan, so the demo can run twice and store nothing the second time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

PROGRAMME_ID = "aktobe-small-schools"
COMMITMENT_ID = "AKT-QH-EQUIPMENT"
EQUIPMENT_KZT = 2_064_199_025
RULE = dict(programme_id=PROGRAMME_ID, threshold_pupils=80,
            above=["online_robotics", "science_lab"], at_or_below=["combined"], kinds=["school"])
# Relative prices: a combined cabinet costs less than the two specialised ones together.
PRICE_WEIGHT = {"combined": 13, "online_robotics": 14, "science_lab": 16}
ITEMS = {
    "combined": [("interactive panel", 1), ("laptop", 10), ("robotics kit", 4),
                 ("science lab kit", 2), ("3D printer", 1)],
    "online_robotics": [("interactive panel", 1), ("laptop", 12), ("robotics kit", 8),
                        ("video-conference set", 1)],
    "science_lab": [("interactive panel", 1), ("digital microscope", 6),
                    ("physics lab kit", 4), ("chemistry lab kit", 4), ("biology lab kit", 4)],
}
SUPPLIERS = ["TOO «Digital Mektep»", "TOO «Aqtobe EduTech»", "TOO «Smart Lab KZ»"]
FAULTS = ["interactive panel does not start", "robotics kit controller missing",
          "router drops the connection", "laptop batteries do not charge"]


@dataclass
class EquipmentPlan:
    contracts: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    commissionings: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    resolutions: list[dict[str, Any]] = field(default_factory=list)


def prices(cabinets: list[dict[str, Any]], total: int = EQUIPMENT_KZT) -> list[int]:
    """Split `total` over the cabinets by kind weight, in whole tenge, summing exactly."""
    weights = [PRICE_WEIGHT[c["kind"]] for c in cabinets]
    costs = [total * w // sum(weights) for w in weights]
    for i in range(total - sum(costs)):  # the few tenge that integer division left over
        costs[i] += 1
    return costs


def plan(cabinets: list[dict[str, Any]], seed: int = 2023) -> EquipmentPlan:
    """`cabinets`: [{"cabinet_id", "organisation_id", "kind", "district_code"}], allocated."""
    rng = random.Random(seed)
    cabinets = sorted(cabinets, key=lambda c: (c["organisation_id"], c["kind"]))
    by_district: dict[str, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for cabinet, cost in zip(cabinets, prices(cabinets), strict=True):
        by_district[cabinet["district_code"]].append((cabinet, cost))
    out = EquipmentPlan()
    for n, (district, items) in enumerate(sorted(by_district.items())):
        procured_on = date(2023, 4, 3) + timedelta(days=7 * n)
        out.contracts.append(dict(
            contract_ref=f"AKT-EQ-{district}-2023", supplier=SUPPLIERS[n % len(SUPPLIERS)],
            commitment_id=COMMITMENT_ID, procured_on=str(procured_on),
            items=[dict(cabinet_id=c["cabinet_id"], cost_kzt=cost) for c, cost in items]))
        for cabinet, _ in items:
            delivered_on = procured_on + timedelta(days=rng.randint(60, 150))
            accepted_on = delivered_on + timedelta(days=rng.randint(3, 60))
            out.deliveries.append(dict(
                cabinet_id=cabinet["cabinet_id"], delivered_on=str(delivered_on),
                items=[dict(item=i, quantity=q) for i, q in ITEMS[cabinet["kind"]]],
                received_by=f"STAFF-{cabinet['organisation_id']}-01"))
            # Rural connectivity: mostly slow, a few schools on fibre.
            mbps = min(200.0, round(rng.lognormvariate(2.4, 0.8), 1))
            out.commissionings.append(dict(cabinet_id=cabinet["cabinet_id"],
                                           accepted_on=str(accepted_on),
                                           internet_mbps=str(mbps)))
    for n, commissioning in enumerate(rng.sample(out.commissionings, 9)):
        reported_on = date.fromisoformat(commissioning["accepted_on"]) + timedelta(days=20)
        fault = dict(cabinet_id=commissioning["cabinet_id"], fault_id=f"FAULT-{n + 1:03d}",
                     reported_on=str(reported_on), description=FAULTS[n % len(FAULTS)])
        out.faults.append(fault)
        if n < 7:  # two are still open at the end of the seed period
            out.resolutions.append(dict(
                cabinet_id=fault["cabinet_id"], fault_id=fault["fault_id"],
                resolved_on=str(reported_on + timedelta(days=rng.randint(2, 30))),
                resolution="repaired by the supplier under warranty"))
    return out
