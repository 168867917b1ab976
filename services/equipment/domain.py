"""Equipment aggregates: what the registry told us about schools, the allocation rule, the
cabinets themselves and the commitments that pay for them.

Identities come from natural keys, so a cabinet is "the online_robotics cabinet of school X
in programme P": allocating it again finds it instead of creating a twin.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import Conflict, DomainRuleViolated

NAMESPACE = uuid.UUID("b3d1e5a0-7c4f-4a9e-9d2b-5f8c0a6e4d03")

CABINET_KINDS = ("online_robotics", "science_lab", "combined")
CHARGEABLE_SCOPES = ("equipment", "programme")


def natural_id(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join([kind, *map(str, parts)]))


class Site(Aggregate):
    """The registry's facts about one organisation, as far as equipment needs them.

    Profiles are kept per school year and programmes as a set, so registry events may
    arrive twice or out of order and still leave the same state.
    """

    @staticmethod
    def create_id(organisation_id: str, **_: object) -> uuid.UUID:
        return natural_id("site", organisation_id)

    @event("Opened")
    def __init__(self, organisation_id: str) -> None:
        self.organisation_id = organisation_id
        self.kind: str | None = None
        self.district_code: str | None = None
        self.profiles: dict[str, dict[str, Any]] = {}
        self.programmes: list[str] = []

    @property
    def pupils(self) -> int | None:
        return self.profiles[max(self.profiles)]["pupils"] if self.profiles else None

    def record_profile(self, school_year: str, kind: str, district_code: str,
                       pupils: int, small_class: bool) -> None:
        profile = {"pupils": pupils, "small_class": small_class}
        if self.profiles.get(school_year) == profile and self.kind == kind:
            return
        self._record_profile(school_year, kind, district_code, profile)

    @event("ProfileRecorded")
    def _record_profile(self, school_year: str, kind: str, district_code: str,
                        profile: dict[str, Any]) -> None:
        self.kind = kind
        self.district_code = district_code
        self.profiles[school_year] = profile

    def record_joined(self, programme_id: str) -> None:
        if programme_id not in self.programmes:
            self._record_joined(programme_id)

    @event("JoinRecorded")
    def _record_joined(self, programme_id: str) -> None:
        self.programmes.append(programme_id)


class AllocationRule(Aggregate):
    """How many cabinets of which kinds a school of a programme gets, by its pupils."""

    @staticmethod
    def create_id(programme_id: str, **_: object) -> uuid.UUID:
        return natural_id("rule", programme_id)

    @event("Set")
    def __init__(self, programme_id: str, threshold_pupils: int, above: list[str],
                 at_or_below: list[str], kinds: list[str]) -> None:
        self._apply(threshold_pupils, above, at_or_below, kinds)
        self.programme_id = programme_id

    def _apply(self, threshold_pupils: int, above: list[str], at_or_below: list[str],
               kinds: list[str]) -> None:
        self.threshold_pupils = threshold_pupils
        self.above = above
        self.at_or_below = at_or_below
        self.kinds = kinds

    def details(self) -> dict[str, Any]:
        return {"threshold_pupils": self.threshold_pupils, "above": self.above,
                "at_or_below": self.at_or_below, "kinds": self.kinds}

    def change(self, **details: Any) -> None:
        if details != self.details():
            self._change(**details)

    @event("Changed")
    def _change(self, threshold_pupils: int, above: list[str], at_or_below: list[str],
                kinds: list[str]) -> None:
        self._apply(threshold_pupils, above, at_or_below, kinds)

    def cabinets_for(self, site: Site) -> list[str]:
        """The cabinet kinds this site should have; none if it is not an eligible kind or
        its contingent is not known yet."""
        if site.kind not in self.kinds or site.pupils is None:
            return []
        return list(self.above if site.pupils > self.threshold_pupils else self.at_or_below)


class Cabinet(Aggregate):
    """One digital cabinet: allocated, procured, delivered, commissioned; or cancelled while
    only allocated (the school's contingent changed before procurement)."""

    @staticmethod
    def create_id(programme_id: str, organisation_id: str, kind: str, **_: object) -> uuid.UUID:
        return natural_id("cabinet", programme_id, organisation_id, kind)

    @event("Allocated")
    def __init__(self, programme_id: str, organisation_id: str, kind: str,
                 district_code: str | None, pupils: int) -> None:
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.kind = kind
        self.district_code = district_code
        self.status = "allocated"
        self.procurement: dict[str, Any] | None = None
        self.delivered_on: date | None = None
        self.commissioned_on: date | None = None
        self.internet_mbps: Decimal | None = None
        self.faults: dict[str, dict[str, Any]] = {}

    def keys(self) -> dict[str, Any]:
        """Carried by every later event so that its public contract stands on its own."""
        return {"programme_id": self.programme_id, "organisation_id": self.organisation_id,
                "kind": self.kind, "district_code": self.district_code}

    def check_status(self, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise DomainRuleViolated(
                f"cabinet {self.kind} of {self.organisation_id} is {self.status}; "
                f"cannot {action}", {"cabinet_id": [f"Status is {self.status}."]})

    # ---------------------------------------------------------------- allocation
    @property
    def frozen(self) -> bool:
        """Procured cabinets stay whatever the contingent does afterwards."""
        return self.status not in ("allocated", "cancelled")

    def cancel(self, reason: str) -> None:
        if self.status == "allocated":
            self._cancel(reason, self.keys())

    @event("AllocationCancelled")
    def _cancel(self, reason: str, keys: dict[str, Any]) -> None:
        self.status = "cancelled"

    def reinstate(self, pupils: int) -> None:
        if self.status == "cancelled":
            self._reinstate(pupils, self.keys())

    @event("Reallocated")
    def _reinstate(self, pupils: int, keys: dict[str, Any]) -> None:
        self.status = "allocated"

    # ---------------------------------------------------------------- procurement
    def procure(self, purchase: dict[str, Any]) -> bool:
        """Record the purchase; False if this very purchase is already recorded."""
        if self.procurement is not None:
            if self.procurement != purchase:
                raise Conflict(f"cabinet {self.kind} of {self.organisation_id} was procured "
                               f"under contract {self.procurement['contract_ref']}",
                               {"cabinet_id": ["Already procured under another contract."]})
            return False
        self.check_status("procure it", "allocated")
        self._procure(purchase, self.keys())
        return True

    @event("Procured")
    def _procure(self, purchase: dict[str, Any], keys: dict[str, Any]) -> None:
        self.procurement = purchase
        self.status = "procured"

    # ---------------------------------------------------------------- delivery
    def deliver(self, delivered_on: date, items: list[dict[str, Any]], received_by: str) -> None:
        if self.delivered_on is not None and self.delivered_on == delivered_on:
            return
        self.check_status("deliver it", "procured")
        procured_on = self.procurement["procured_on"]  # type: ignore[index]
        if delivered_on < procured_on:
            raise DomainRuleViolated(f"delivery on {delivered_on} is before procurement on "
                                     f"{procured_on}", {"delivered_on": ["Before procurement."]})
        self._deliver(delivered_on, items, received_by, self.keys())

    @event("Delivered")
    def _deliver(self, delivered_on: date, items: list[dict[str, Any]], received_by: str,
                 keys: dict[str, Any]) -> None:
        self.delivered_on = delivered_on
        self.status = "delivered"

    def commission(self, accepted_on: date, internet_mbps: Decimal) -> None:
        if self.commissioned_on is not None and self.commissioned_on == accepted_on:
            return
        self.check_status("commission it", "delivered")
        if accepted_on < self.delivered_on:  # type: ignore[operator]
            raise DomainRuleViolated(f"acceptance on {accepted_on} is before delivery on "
                                     f"{self.delivered_on}", {"accepted_on": ["Before delivery."]})
        self._commission(accepted_on, internet_mbps, self.keys())

    @event("Commissioned")
    def _commission(self, accepted_on: date, internet_mbps: Decimal,
                    keys: dict[str, Any]) -> None:
        self.commissioned_on = accepted_on
        self.internet_mbps = internet_mbps
        self.status = "commissioned"

    # ---------------------------------------------------------------- faults
    def report_fault(self, fault_id: str, reported_on: date, description: str) -> None:
        if fault_id in self.faults:
            return
        self.check_status("report a fault", "delivered", "commissioned")
        if reported_on < self.delivered_on:  # type: ignore[operator]
            raise DomainRuleViolated(
                f"fault reported on {reported_on}, before delivery on {self.delivered_on}",
                {"reported_on": [f"Must be on or after the delivery {self.delivered_on}."]})
        self._report_fault(fault_id, reported_on, description, self.keys())

    @event("FaultReported")
    def _report_fault(self, fault_id: str, reported_on: date, description: str,
                      keys: dict[str, Any]) -> None:
        self.faults[fault_id] = {"reported_on": reported_on, "resolved_on": None}

    def resolve_fault(self, fault_id: str, resolved_on: date, resolution: str) -> None:
        fault = self.faults.get(fault_id)
        if fault is None:
            raise DomainRuleViolated(f"no fault {fault_id} on this cabinet",
                                     {"fault_id": ["Not reported on this cabinet."]})
        if fault["resolved_on"] is not None:
            return
        if resolved_on < fault["reported_on"]:
            raise DomainRuleViolated("a fault cannot be resolved before it was reported",
                                     {"resolved_on": ["Before the report."]})
        self._resolve_fault(fault_id, resolved_on, resolution, self.keys())

    @event("FaultResolved")
    def _resolve_fault(self, fault_id: str, resolved_on: date, resolution: str,
                       keys: dict[str, Any]) -> None:
        self.faults[fault_id]["resolved_on"] = resolved_on


class CommitmentLedger(Aggregate):
    """A funder's commitment as the registry announced it, and what procurement charged to
    it. Charges and the cabinets they pay for are saved together, so concurrent purchases
    can never overspend the commitment."""

    @staticmethod
    def create_id(commitment_id: str, **_: object) -> uuid.UUID:
        return natural_id("commitment", commitment_id)

    @event("Opened")
    def __init__(self, commitment_id: str, programme_id: str, funder_id: str, scope: str,
                 amount_kzt: int) -> None:
        self.commitment_id = commitment_id
        self.programme_id = programme_id
        self.funder_id = funder_id
        self.scope = scope
        self.amount_kzt = amount_kzt
        self.charges: dict[str, int] = {}  # contract ref or expenditure reference -> KZT
        self.expenditures: dict[str, dict[str, Any]] = {}

    @property
    def charged_kzt(self) -> int:
        return sum(self.charges.values())

    @property
    def remaining_kzt(self) -> int:
        return self.amount_kzt - self.charged_kzt

    def check_pays_for(self, programme_id: str) -> None:
        if self.programme_id != programme_id:
            raise DomainRuleViolated(
                f"commitment {self.commitment_id} belongs to programme {self.programme_id}",
                {"commitment_id": [f"Not a commitment of programme {programme_id}."]})
        if self.scope not in CHARGEABLE_SCOPES:
            raise DomainRuleViolated(
                f"commitment {self.commitment_id} is for {self.scope}, not equipment",
                {"commitment_id": [f"Its scope is {self.scope}."]})

    def _check_covers(self, amount_kzt: int, what: str, field: str) -> None:
        """Every charge, whatever kind, within what the commitment has left; else the
        excess is named on the charge's field."""
        if amount_kzt > self.remaining_kzt:
            excess = amount_kzt - self.remaining_kzt
            raise DomainRuleViolated(
                f"{what} exceeds the {self.remaining_kzt} KZT remaining on commitment "
                f"{self.commitment_id} by {excess} KZT",
                {field: [f"Exceeds the commitment's remaining amount by {excess} KZT."]})

    def charge(self, contract_ref: str, amount_kzt: int) -> None:
        if contract_ref in self.charges:
            if self.charges[contract_ref] != amount_kzt:
                raise Conflict(f"contract {contract_ref} is charged with "
                               f"{self.charges[contract_ref]} KZT, not {amount_kzt}",
                               {"contract_ref": ["Already charged with another amount."]})
            return
        self._check_covers(amount_kzt, f"the purchase of {amount_kzt} KZT", "items")
        self._charge(contract_ref, amount_kzt)

    @event("Charged")
    def _charge(self, contract_ref: str, amount_kzt: int) -> None:
        self.charges[contract_ref] = amount_kzt

    def record_expenditure(self, reference: str, amount_kzt: int, spent_on: date,
                           category: str) -> None:
        """Spending other than a cabinet (seminars, fees, a platform...). It draws on the
        same remaining amount as procurement, in the same aggregate, so no mix of charges
        arriving at once can overspend the commitment."""
        wanted = {"amount_kzt": amount_kzt, "spent_on": spent_on, "category": category}
        known = self.expenditures.get(reference)
        if known is not None:
            if known != wanted:
                raise Conflict(f"expenditure {reference} is recorded with other details",
                               {"reference": ["Already recorded with other details."]})
            return
        if reference in self.charges:
            raise Conflict(f"{reference} is a purchase contract charged to this commitment",
                           {"reference": ["Already used by a purchase contract."]})
        self._check_covers(amount_kzt, f"spending {amount_kzt} KZT", "amount_kzt")
        self._record_expenditure(reference, amount_kzt, spent_on, category,
                                 self.commitment_id, self.programme_id, self.funder_id)

    @event("ExpenditureRecorded")
    def _record_expenditure(self, reference: str, amount_kzt: int, spent_on: date,
                            category: str, commitment_id: str, programme_id: str,
                            funder_id: str) -> None:
        self.charges[reference] = amount_kzt
        self.expenditures[reference] = {"amount_kzt": amount_kzt, "spent_on": spent_on,
                                        "category": category}
