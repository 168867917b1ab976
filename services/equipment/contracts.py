"""Which internal equipment events become which public contracts, field by field."""

from __future__ import annotations

from typing import Any

from services.equipment.domain import AllocationRule, Cabinet, CommitmentLedger, Site
from shared.contracts import equipment_events as v1
from shared.contracts.mapping import INTERNAL, ContractMap, Publish


def _cabinet(event: Any, **extra: Any) -> dict[str, Any]:
    return {"cabinet_id": event.originator_id, **event.keys, **extra}


CONTRACTS = ContractMap("equipment", {
    # Replicas of the registry's facts and the rule are bookkeeping; the registry publishes
    # the facts, and a rule shows in the allocations it makes.
    Site.Opened: INTERNAL,
    Site.ProfileRecorded: INTERNAL,
    Site.JoinRecorded: INTERNAL,
    AllocationRule.Set: INTERNAL,
    AllocationRule.Changed: INTERNAL,
    # The money is published per cabinet by CabinetProcured; the ledger only guards it.
    CommitmentLedger.Opened: INTERNAL,
    CommitmentLedger.Charged: INTERNAL,
    CommitmentLedger.ExpenditureRecorded: Publish(v1.ExpenditureRecordedV1, lambda e: {
        "commitment_id": e.commitment_id, "programme_id": e.programme_id,
        "funder_id": e.funder_id, "reference": e.reference, "category": e.category,
        "amount_kzt": e.amount_kzt, "currency": "KZT", "spent_on": e.spent_on}),
    Cabinet.Allocated: Publish(v1.CabinetAllocatedV1, lambda e: {
        "cabinet_id": e.originator_id, "programme_id": e.programme_id,
        "organisation_id": e.organisation_id, "kind": e.kind,
        "district_code": e.district_code, "pupils": e.pupils}),
    Cabinet.Reallocated: Publish(v1.CabinetAllocatedV1, lambda e: _cabinet(
        e, pupils=e.pupils)),
    Cabinet.AllocationCancelled: Publish(v1.CabinetAllocationCancelledV1, lambda e: _cabinet(
        e, reason=e.reason)),
    Cabinet.Procured: Publish(v1.CabinetProcuredV1, lambda e: _cabinet(
        e, **e.purchase, currency="KZT")),
    Cabinet.Delivered: Publish(v1.CabinetDeliveredV1, lambda e: _cabinet(
        e, delivered_on=e.delivered_on, items=e.items, received_by=e.received_by)),
    Cabinet.Commissioned: Publish(v1.CabinetCommissionedV1, lambda e: _cabinet(
        e, accepted_on=e.accepted_on, internet_mbps=e.internet_mbps)),
    Cabinet.FaultReported: Publish(v1.FaultReportedV1, lambda e: _cabinet(
        e, fault_id=e.fault_id, reported_on=e.reported_on, description=e.description)),
    Cabinet.FaultResolved: Publish(v1.FaultResolvedV1, lambda e: _cabinet(
        e, fault_id=e.fault_id, resolved_on=e.resolved_on, resolution=e.resolution)),
})
