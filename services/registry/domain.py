"""Registry aggregates: organisations, programmes, funders and who takes part in what.

Identities come from natural keys (uuid5 of the caller's code), so re-sending a command or
re-importing a file finds the same aggregate instead of creating a twin.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.errors import Conflict, DomainRuleViolated

NAMESPACE = uuid.UUID("6a0f7c1e-3b9d-4c55-8f0e-2d7b9a4e1c02")

KINDS = ("school", "preschool", "further_education")
LOCALITIES = ("rural", "urban")
# A hub ("опорная") school serves satellites around it; a magnet school draws pupils in.
NETWORK_ROLES = ("hub", "satellite", "magnet")
MODELS = ("streaming", "online_teaching", "hub_and_magnet", "digital_solutions",
          "management_course", "partner_league")
IATI_ROLES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
SCOPES = ("programme", "equipment", "training", "assessment")
# Profile fields that change from one school year to the next.
PROFILE_FIELDS = ("locality", "small_class", "pupils", "teachers", "network_role")
IDENTITY_FIELDS = ("bin", "kind", "name_kk", "name_ru", "name_en", "kato")


def natural_id(kind: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join([kind, *map(str, parts)]))


def _differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [f"Registered as {current[name]!r}, not {value!r}."]
            for name, value in wanted.items() if current.get(name) != value}


def resent(existing: dict[str, Any] | None, wanted: dict[str, Any], what: str) -> bool:
    """True when `what` was recorded before with these very details (nothing to do again);
    a Conflict naming each field when it was recorded with others."""
    if existing is None:
        return False
    differences = _differences(existing, wanted)
    if differences:
        raise Conflict(f"{what} exists with other details", differences)
    return True


class Organisation(Aggregate):
    """A school, preschool or further-education body, with its profile per school year."""

    @staticmethod
    def create_id(organisation_id: str, **_: object) -> uuid.UUID:
        return natural_id("organisation", organisation_id)

    @event("Registered")
    def __init__(self, organisation_id: str, bin: str, kind: str, name_kk: str, name_ru: str,
                 name_en: str | None, kato: str, region_code: str, district_code: str,
                 school_year: str, profile: dict[str, Any]) -> None:
        self.organisation_id = organisation_id
        self.bin = bin
        self.kind = kind
        self.name_kk = name_kk
        self.name_ru = name_ru
        self.name_en = name_en
        self.kato = kato
        self.region_code = region_code
        self.district_code = district_code
        self.profiles: dict[str, dict[str, Any]] = {school_year: profile}

    def identity(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in IDENTITY_FIELDS}

    def check_same_identity(self, **identity: Any) -> None:
        """Re-registering is fine; registering other details under the same id is not."""
        differences = _differences(self.identity(), identity)
        if differences:
            raise Conflict(f"organisation {self.organisation_id} is registered with other "
                           f"details: {', '.join(sorted(differences))}", differences)

    @property
    def current_year(self) -> str:
        return max(self.profiles)

    @property
    def profile(self) -> dict[str, Any]:
        return self.profiles[self.current_year]

    def keys(self) -> dict[str, str]:
        """Carried by later events so that their public contract stands on its own."""
        return {"organisation_id": self.organisation_id, "kind": self.kind,
                "region_code": self.region_code, "district_code": self.district_code}

    def update_profile(self, school_year: str, profile: dict[str, Any]) -> bool:
        """Record the profile for a school year; False if it is already exactly that."""
        if self.profiles.get(school_year) == profile:
            return False
        check_profile_fits_kind(self.kind, profile)
        self._update_profile(school_year, profile, self.keys())
        return True

    @event("ProfileUpdated")
    def _update_profile(self, school_year: str, profile: dict[str, Any],
                        keys: dict[str, str]) -> None:
        self.profiles[school_year] = profile


def check_profile_fits_kind(kind: str, profile: dict[str, Any]) -> None:
    if profile["small_class"] and kind != "school":
        raise DomainRuleViolated("only a school can be a small-class school",
                                 {"small_class": [f"Not applicable to a {kind}."]})


class BinClaim(Aggregate):
    """Keeps a BIN to one organisation. It is saved together with the organisation, so two
    registrations racing for one BIN collide on this aggregate's first version."""

    @staticmethod
    def create_id(bin: str, **_: object) -> uuid.UUID:
        return natural_id("bin", bin)

    @event("Claimed")
    def __init__(self, bin: str, organisation_id: str) -> None:
        self.bin = bin
        self.organisation_id = organisation_id


class CommitmentClaim(Aggregate):
    """Keeps a commitment id to one programme, platform-wide: equipment's ledgers, the read
    model and the funders' traces all key money by commitment id alone. Saved together with
    the programme's commitment, so two programmes racing for one id collide here."""

    @staticmethod
    def create_id(commitment_id: str, **_: object) -> uuid.UUID:
        return natural_id("commitment", commitment_id)

    @event("Claimed")
    def __init__(self, commitment_id: str, programme_id: str) -> None:
        self.commitment_id = commitment_id
        self.programme_id = programme_id


class Funder(Aggregate):
    """A foundation, party, akimat, ministry or company that funds or oversees programmes."""

    @staticmethod
    def create_id(funder_id: str, **_: object) -> uuid.UUID:
        return natural_id("funder", funder_id)

    @event("Registered")
    def __init__(self, funder_id: str, name_kk: str, name_ru: str, name_en: str | None,
                 organisation_type: str, iati_ref: str | None) -> None:
        self.funder_id = funder_id
        self.name_kk = name_kk
        self.name_ru = name_ru
        self.name_en = name_en
        self.organisation_type = organisation_type
        self.iati_ref = iati_ref

    def check_same(self, **details: Any) -> None:
        current = {name: getattr(self, name) for name in details}
        differences = _differences(current, details)
        if differences:
            raise Conflict(f"funder {self.funder_id} is registered with other details: "
                           f"{', '.join(sorted(differences))}", differences)


class Programme(Aggregate):
    """A development programme: where and when, how, what it aims at and who pays.

    Every event carries programme_id (the natural id) so its public contract stands alone.

    Commitments live here, not in an aggregate of their own, so that the check against the
    programme's budget and the commitment itself are one atomic save.
    """

    @staticmethod
    def create_id(programme_id: str, **_: object) -> uuid.UUID:
        return natural_id("programme", programme_id)

    @event("Launched")
    def __init__(self, programme_id: str, name_kk: str, name_ru: str, name_en: str | None,
                 regions: list[str], start: date, end: date, models: list[str],
                 budget_kzt: int | None) -> None:
        self.programme_id = programme_id
        self.name_kk = name_kk
        self.name_ru = name_ru
        self.name_en = name_en
        self.regions = regions
        self.start = start
        self.end = end
        self.models = models
        self.budget_kzt = budget_kzt
        self.roles: dict[str, list[str]] = {}
        self.targets: dict[str, dict[str, Any]] = {}
        self.commitments: dict[str, dict[str, Any]] = {}

    def launch_details(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "name_kk", "name_ru", "name_en", "regions", "start", "end", "models", "budget_kzt")}

    def check_same_launch(self, **details: Any) -> None:
        differences = _differences(self.launch_details(), details)
        if differences:
            raise Conflict(f"programme {self.programme_id} was launched with other details: "
                           f"{', '.join(sorted(differences))}", differences)

    def check_within_period(self, day: date, field: str) -> None:
        if not self.start <= day <= self.end:
            raise DomainRuleViolated(
                f"{day} is outside programme {self.programme_id}'s period",
                {field: [f"Must be within {self.start} .. {self.end}."]})

    # ------------------------------------------------------------ funders' roles
    def assign_role(self, funder_id: str, role: str) -> None:
        if role in self.roles.get(funder_id, []):
            return
        self._assign_role(funder_id, role, self.programme_id)

    @event("FunderRoleAssigned")
    def _assign_role(self, funder_id: str, role: str, programme_id: str) -> None:
        self.roles.setdefault(funder_id, []).append(role)

    # ------------------------------------------------------------ targets
    def set_target(self, indicator: str, target: dict[str, Any]) -> None:
        """Set or revise an indicator's baseline and targets; every revision is kept."""
        if self.targets.get(indicator) == target:
            return
        for period in target["periods"]:
            self.check_within_period(period["end"], "periods")
        self._set_target(indicator, target, self.programme_id)

    @event("TargetSet")
    def _set_target(self, indicator: str, target: dict[str, Any], programme_id: str) -> None:
        self.targets[indicator] = target

    # ------------------------------------------------------------ money
    @property
    def committed_kzt(self) -> int:
        return sum(c["amount_kzt"] for c in self.commitments.values())

    def commit_funding(self, commitment_id: str, funder_id: str, scope: str,
                       amount_kzt: int, committed_on: date) -> None:
        wanted = {"funder_id": funder_id, "scope": scope, "amount_kzt": amount_kzt,
                  "committed_on": committed_on}
        if resent(self.commitments.get(commitment_id), wanted, f"commitment {commitment_id}"):
            return
        if committed_on > self.end:
            raise DomainRuleViolated(
                f"commitment dated {committed_on} is after the programme ended",
                {"committed_on": [f"Must be on or before {self.end}."]})
        if self.budget_kzt is not None and self.committed_kzt + amount_kzt > self.budget_kzt:
            excess = self.committed_kzt + amount_kzt - self.budget_kzt
            raise DomainRuleViolated(
                f"commitments would exceed programme {self.programme_id}'s budget of "
                f"{self.budget_kzt} KZT by {excess} KZT",
                {"amount_kzt": [f"Exceeds the uncommitted budget by {excess} KZT."]})
        self._commit_funding(commitment_id, funder_id, scope, amount_kzt, committed_on,
                            self.programme_id)
        self.assign_role(funder_id, "funding")

    @event("FundingCommitted")
    def _commit_funding(self, commitment_id: str, funder_id: str, scope: str,
                        amount_kzt: int, committed_on: date, programme_id: str) -> None:
        self.commitments[commitment_id] = {"funder_id": funder_id, "scope": scope,
                                           "amount_kzt": amount_kzt,
                                           "committed_on": committed_on,
                                           "disbursements": {}}


    def disburse(self, commitment_id: str, reference: str, amount_kzt: int,
                 disbursed_on: date) -> None:
        """Record money the funder paid out under a commitment. Never more than committed,
        whatever else has been disbursed; the same payment (reference) re-sent is a no-op."""
        commitment = self.commitments.get(commitment_id)
        if commitment is None:
            raise DomainRuleViolated(
                f"programme {self.programme_id} has no commitment {commitment_id}",
                {"commitment_id": ["No such commitment in this programme."]})
        wanted = {"amount_kzt": amount_kzt, "disbursed_on": disbursed_on}
        if resent(commitment["disbursements"].get(reference), wanted,
                   f"disbursement {reference}"):
            return
        if not commitment["committed_on"] <= disbursed_on <= self.end:
            raise DomainRuleViolated(
                f"a disbursement on {disbursed_on} is outside commitment {commitment_id}'s "
                f"time", {"disbursed_on": [
                    f"Must be within {commitment['committed_on']} .. {self.end}."]})
        disbursed = sum(d["amount_kzt"] for d in commitment["disbursements"].values())
        excess = disbursed + amount_kzt - commitment["amount_kzt"]
        if excess > 0:
            raise DomainRuleViolated(
                f"disbursements would exceed commitment {commitment_id} of "
                f"{commitment['amount_kzt']} KZT by {excess} KZT",
                {"amount_kzt": [f"Exceeds what is left to disburse by {excess} KZT."]})
        self._disburse(commitment_id, reference, amount_kzt, disbursed_on,
                       commitment["funder_id"], self.programme_id)

    @event("FundsDisbursed")
    def _disburse(self, commitment_id: str, reference: str, amount_kzt: int,
                  disbursed_on: date, funder_id: str, programme_id: str) -> None:
        self.commitments[commitment_id]["disbursements"][reference] = {
            "amount_kzt": amount_kzt, "disbursed_on": disbursed_on}


class Participation(Aggregate):
    """An organisation taking part in a programme under one development model."""

    @staticmethod
    def create_id(programme_id: str, organisation_id: str, **_: object) -> uuid.UUID:
        return natural_id("participation", programme_id, organisation_id)

    @event("Joined")
    def __init__(self, programme_id: str, organisation_id: str, model: str, joined_on: date,
                 kind: str, region_code: str, district_code: str) -> None:
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.model = model
        self.joined_on = joined_on
        self.kind = kind
        self.region_code = region_code
        self.district_code = district_code

    def check_same(self, model: str, joined_on: date) -> None:
        differences = _differences({"model": self.model, "joined_on": self.joined_on},
                                   {"model": model, "joined_on": joined_on})
        if differences:
            raise Conflict(f"organisation {self.organisation_id} already joined programme "
                           f"{self.programme_id} with other details", differences)
