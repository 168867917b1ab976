"""The equipment Application: registry facts in, cabinets through their life, money charged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from services.equipment.contracts import CONTRACTS
from services.equipment.domain import AllocationRule, Cabinet, CommitmentLedger, Site
from shared.application import ServiceApplication, retry_on_conflict
from shared.errors import DomainRuleViolated, NotFound

A = TypeVar("A")


class EquipmentApplication(ServiceApplication):
    name = "equipment"
    contracts = CONTRACTS

    # ------------------------------------------------------------ registry facts
    def apply_registry_fact(self, event_type: str, data: dict[str, Any]) -> list[Cabinet]:
        """Record a registry event's facts and reallocate; returns the cabinets changed.
        Safe to call twice with the same event and in any order."""
        if event_type == "FundingCommitted":
            self._open_ledger(data)
            return []
        if event_type in ("OrganisationRegistered", "OrganisationProfileUpdated"):
            return self._record_site(data, lambda site: site.record_profile(
                data["school_year"], data["kind"], data["district_code"], data["pupils"],
                data["small_class"]))
        if event_type == "OrganisationJoinedProgramme":
            return self._record_site(data, lambda site: site.record_joined(data["programme_id"]))
        return []

    @retry_on_conflict()
    def _open_ledger(self, data: dict[str, Any]) -> None:
        if self.find(CommitmentLedger.create_id(data["commitment_id"]), CommitmentLedger):
            return
        self.save(CommitmentLedger(commitment_id=data["commitment_id"],
                                   programme_id=data["programme_id"],
                                   funder_id=data["funder_id"], scope=data["scope"],
                                   amount_kzt=data["amount_kzt"]))

    @retry_on_conflict()
    def _record_site(self, data: dict[str, Any], change: Any) -> list[Cabinet]:
        organisation_id = data["organisation_id"]
        site = (self.find(Site.create_id(organisation_id), Site)
                or Site(organisation_id=organisation_id))
        change(site)
        cabinets = [c for p in site.programmes for c in self._allocation_changes(site, p)]
        self.save(site, *cabinets)
        return cabinets

    # ------------------------------------------------------------ allocation
    @retry_on_conflict()
    def set_allocation_rule(self, programme_id: str, **details: Any) -> AllocationRule:
        rule = self.find(AllocationRule.create_id(programme_id), AllocationRule)
        if rule is None:
            rule = AllocationRule(programme_id=programme_id, **details)
        else:
            rule.change(**details)
        self.save(rule)
        return rule

    @retry_on_conflict()
    def allocate_site(self, organisation_id: str, programme_id: str) -> list[Cabinet]:
        """Bring one site's cabinets in line with its programme's rule (after a rule change)."""
        site = self.find(Site.create_id(organisation_id), Site)
        if site is None:
            return []
        cabinets = self._allocation_changes(site, programme_id)
        self.save(*cabinets)
        return cabinets

    def _allocation_changes(self, site: Site, programme_id: str) -> list[Cabinet]:
        """Cabinets to allocate, reinstate or cancel so the site has what the rule says.

        Nothing changes once any of the site's cabinets in the programme is procured: the
        purchase fixed the allocation. Never more than one cabinet per kind: ids are natural.
        """
        rule = self.find(AllocationRule.create_id(programme_id), AllocationRule)
        if rule is None:
            return []
        existing = {kind: self.find(Cabinet.create_id(programme_id, site.organisation_id, kind),
                                    Cabinet) for kind in sorted({*rule.above, *rule.at_or_below})}
        if any(c is not None and c.frozen for c in existing.values()):
            return []
        wanted = rule.cabinets_for(site)
        changed = []
        for kind, cabinet in existing.items():
            if kind in wanted and cabinet is None:
                changed.append(Cabinet(programme_id=programme_id,
                                       organisation_id=site.organisation_id, kind=kind,
                                       district_code=site.district_code, pupils=site.pupils))
            elif kind in wanted and cabinet.status == "cancelled":
                cabinet.reinstate(site.pupils)  # type: ignore[arg-type]
                changed.append(cabinet)
            elif kind not in wanted and cabinet is not None and cabinet.status == "allocated":
                cabinet.cancel(f"{site.pupils} pupils: the rule gives {wanted or 'nothing'}")
                changed.append(cabinet)
        return changed

    # ------------------------------------------------------------ procurement
    @retry_on_conflict()
    def procure(self, contract_ref: str, supplier: str, commitment_id: str,
                procured_on: date, items: list[dict[str, Any]]) -> list[Cabinet]:
        """One supply contract for several cabinets, charged to one commitment, atomically."""
        ledger = self.ledger(commitment_id)
        cabinets = [self.cabinet(item["cabinet_id"]) for item in items]
        programmes = {c.programme_id for c in cabinets}
        if len(programmes) != 1:
            raise DomainRuleViolated("a contract's cabinets must belong to one programme",
                                     {"items": [f"Programmes: {sorted(programmes)}."]})
        ledger.check_pays_for(programmes.pop())
        total = sum(item["cost_kzt"] for item in items)
        for cabinet, item in zip(cabinets, items, strict=True):
            cabinet.procure({"contract_ref": contract_ref, "supplier": supplier,
                             "commitment_id": commitment_id, "funder_id": ledger.funder_id,
                             "cost_kzt": item["cost_kzt"], "procured_on": procured_on})
        ledger.charge(contract_ref, total)
        self.save(ledger, *cabinets)
        return cabinets

    @retry_on_conflict()
    def record_expenditure(self, commitment_id: str, reference: str, amount_kzt: int,
                           spent_on: date, category: str) -> CommitmentLedger:
        ledger = self.ledger(commitment_id)
        ledger.record_expenditure(reference, amount_kzt, spent_on, category)
        self.save(ledger)
        return ledger

    def cabinet(self, cabinet_id: UUID | str) -> Cabinet:
        try:
            return self.load(UUID(str(cabinet_id)), Cabinet, "cabinet")
        except ValueError:
            raise NotFound(f"cabinet {cabinet_id} not found") from None

    def ledger(self, commitment_id: str) -> CommitmentLedger:
        return self.load_by_key(CommitmentLedger, "commitment", commitment_id,
                                hint=" (not yet announced by the registry?)")

    # ------------------------------------------------------------ delivery and use
    @retry_on_conflict()
    def deliver(self, cabinet_id: Any, delivered_on: date, items: list[dict[str, Any]],
                received_by: str) -> Cabinet:
        return self._change(cabinet_id, lambda c: c.deliver(delivered_on, items, received_by))

    @retry_on_conflict()
    def commission(self, cabinet_id: Any, accepted_on: date, internet_mbps: Decimal) -> Cabinet:
        return self._change(cabinet_id, lambda c: c.commission(accepted_on, internet_mbps))

    @retry_on_conflict()
    def report_fault(self, cabinet_id: Any, fault_id: str, reported_on: date,
                     description: str) -> Cabinet:
        return self._change(cabinet_id,
                            lambda c: c.report_fault(fault_id, reported_on, description))

    @retry_on_conflict()
    def resolve_fault(self, cabinet_id: Any, fault_id: str, resolved_on: date,
                      resolution: str) -> Cabinet:
        return self._change(cabinet_id,
                            lambda c: c.resolve_fault(fault_id, resolved_on, resolution))

    def _change(self, cabinet_id: Any, change: Any) -> Cabinet:
        cabinet = self.cabinet(cabinet_id)
        change(cabinet)
        self.save(cabinet)
        return cabinet
