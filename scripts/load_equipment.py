"""Run the Aktobe pilot's equipment through the equipment service, as its operators would."""

from __future__ import annotations

from typing import Any

from scripts.calls import call_all
from scripts.seed_equipment import PROGRAMME_ID, RULE, plan
from scripts.seed_spending import EXPENDITURES


def set_rule(rpc: Any) -> None:
    rpc.equipment.set_allocation_rule(**RULE)


def allocated_cabinets(equipment: Any) -> list[dict[str, Any]]:
    cabinets, after = [], None
    while True:
        page = equipment.list_cabinets(programme_id=PROGRAMME_ID, after=after, limit=1000)
        cabinets += [c for c in page["items"] if c["status"] != "cancelled"]
        if page["next_after"] is None:
            return cabinets
        after = page["next_after"]


def load(rpc: Any) -> None:
    equipment = rpc.equipment
    # Registry events reach equipment over RabbitMQ as they happen; this call also applies
    # any it could not have received (published before its queues existed). Idempotent.
    caught_up = equipment.catch_up_registry()
    print(f"  equipment read {caught_up['read']} registry events "
          f"(up to notification {caught_up['last_notification_id']})")
    equipment.set_allocation_rule(**RULE)
    seed = plan(allocated_cabinets(equipment))
    # Every contract charges the same commitment: one at a time, as a procurement office would.
    for contract in seed.contracts:
        equipment.procure(**contract)
    print(f"  {len(seed.contracts)} supply contracts recorded")
    for label, items, command in (("cabinets delivered", seed.deliveries, "deliver"),
                                  ("cabinets commissioned", seed.commissionings, "commission"),
                                  ("faults reported", seed.faults, "report_fault"),
                                  ("faults resolved", seed.resolutions, "resolve_fault")):
        call_all(label, items, lambda item, c=command: getattr(equipment, c).call_async(**item))


def print_summary(rpc: Any) -> None:
    s = rpc.equipment.summary(programme_id=PROGRAMME_ID)
    print(f"\nAktobe small-school pilot — read back from the equipment service at notification "
          f"{s['as_of_notification_id']}")
    print(f"  cabinets {s['cabinets_allocated']} {s['cabinets_by_kind']}; schools "
          f"{s['schools_allocated']} by cabinets each {s['schools_by_cabinet_count']}")
    print(f"  procured {s['cabinets_procured']}, delivered {s['cabinets_delivered']}, "
          f"commissioned {s['cabinets_commissioned']}; schools equipped {s['schools_equipped']}")
    print(f"  procured {s['procured_kzt']:,} KZT; remaining by commitment "
          f"{s['remaining_by_commitment']}")
    print(f"  faults reported {s['faults_reported']}, open {s['faults_open']}; internet median "
          f"{s['internet_mbps_median']} Mbps, {s['cabinets_below_10_mbps']} cabinets below 10")


def load_spending(rpc: Any, finance: Any = None) -> None:
    """Every programme's other spending, charged to its commitments' ledgers (equipment
    keeps them: one ledger per commitment, whatever charges it), sent through `finance`
    (the finance system's proxy), else `rpc`."""
    rpc.equipment.catch_up_registry()  # every commitment's ledger is open
    equipment = (finance or rpc).equipment
    call_all("expenditures", EXPENDITURES, lambda e: equipment.record_expenditure.call_async(
        commitment_id=e[0], reference=e[1], amount_kzt=e[2], spent_on=e[3], category=e[4]))
