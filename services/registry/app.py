"""The registry Application: load, apply a command, save. Rules live in the aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import IntegrityError

from services.registry.access import AccessGrants
from services.registry.contracts import CONTRACTS
from services.registry.development import DevelopmentFacts
from services.registry.domain import (
    BinClaim,
    CommitmentClaim,
    Funder,
    Organisation,
    Participation,
    Programme,
    check_profile_fits_kind,
)
from services.registry.kato import place
from services.registry.places import KatoPlace
from shared.application import ServiceApplication, retry_on_conflict
from shared.errors import Conflict, DomainRuleViolated, NotFound


class RegistryApplication(AccessGrants, DevelopmentFacts, ServiceApplication):
    name = "registry"
    contracts = CONTRACTS

    # ------------------------------------------------------------ organisations
    @retry_on_conflict()
    def register_organisation(self, school_year: str, profile: dict[str, Any],
                              **identity: Any) -> tuple[Organisation, str]:
        """Register an organisation, or record its profile for another school year.

        Returns the organisation and what happened: "registered", "updated" or "unchanged".
        """
        organisation_id = identity.pop("organisation_id")
        existing = self.find(Organisation.create_id(organisation_id), Organisation)
        if existing is not None:
            existing.check_same_identity(**identity)
            if not existing.update_profile(school_year, profile):
                return existing, "unchanged"
            self.save(existing)
            return existing, "updated"
        check_profile_fits_kind(identity["kind"], profile)
        claim = self.find(BinClaim.create_id(identity["bin"]), BinClaim)
        if claim is not None and claim.organisation_id == organisation_id:
            # The same registration committed between the two reads (a resend while the
            # first attempt was still running, on another replica): read it again.
            raise IntegrityError(f"{organisation_id} registered concurrently")
        if claim is not None:
            raise Conflict(f"BIN {identity['bin']} belongs to organisation "
                           f"{claim.organisation_id}",
                           {"bin": [f"Already registered to {claim.organisation_id}."]})
        where = place(identity["kato"])
        organisation = Organisation(organisation_id=organisation_id, school_year=school_year,
                                    profile=profile, region_code=where.region_code,
                                    district_code=where.district_code, **identity)
        self.save(organisation, BinClaim(bin=identity["bin"], organisation_id=organisation_id))
        return organisation, "registered"

    @retry_on_conflict()
    def update_profile(self, organisation_id: str, school_year: str,
                       profile: dict[str, Any]) -> Organisation:
        organisation = self.organisation(organisation_id)
        if organisation.update_profile(school_year, profile):
            self.save(organisation)
        return organisation

    # ------------------------------------------------------------ the classifier's places
    @retry_on_conflict()
    def name_place(self, kato: str, level: str, name_kk: str, name_ru: str,
                   name_en: str | None) -> tuple[KatoPlace, str]:
        """Record a region's or district's names: "named", "renamed" or "unchanged"."""
        existing = self.find(KatoPlace.create_id(kato), KatoPlace)
        if existing is None:
            created = KatoPlace(kato=kato, level=level, name_kk=name_kk, name_ru=name_ru,
                                name_en=name_en)
            self.save(created)
            return created, "named"
        if not existing.rename(name_kk, name_ru, name_en):
            return existing, "unchanged"
        self.save(existing)
        return existing, "renamed"

    # ------------------------------------------------------------ funders
    @retry_on_conflict()
    def register_funder(self, funder_id: str, **details: Any) -> Funder:
        existing = self.find(Funder.create_id(funder_id), Funder)
        if existing is not None:
            existing.check_same(**details)
            return existing
        funder = Funder(funder_id=funder_id, **details)
        self.save(funder)
        return funder

    # ------------------------------------------------------------ programmes
    @retry_on_conflict()
    def launch_programme(self, programme_id: str, **details: Any) -> Programme:
        existing = self.find(Programme.create_id(programme_id), Programme)
        if existing is not None:
            existing.check_same_launch(**details)
            return existing
        programme = Programme(programme_id=programme_id, **details)
        self.save(programme)
        return programme

    def has_programme(self, programme_id: str) -> bool:
        return self.find(Programme.create_id(programme_id), Programme) is not None

    def programme(self, programme_id: str) -> Programme:
        return self.load_by_key(Programme, "programme", programme_id)

    def funder(self, funder_id: str) -> Funder:
        return self.load_by_key(Funder, "funder", funder_id)

    def organisation(self, organisation_id: str) -> Organisation:
        return self.load_by_key(Organisation, "organisation", organisation_id)

    def find_organisation(self, code: str | None = None, bin: str | None = None
                          ) -> Organisation:
        """The organisation by its code (organisation_id) or its BIN; NotFound naming the
        key given."""
        if bin is not None:
            claim = self.find(BinClaim.create_id(bin), BinClaim)
            if claim is None:
                raise NotFound(f"no organisation with BIN {bin}",
                               {"bin": [f"No organisation registered with BIN {bin}."]})
            return self.organisation(claim.organisation_id)
        organisation = self.find(Organisation.create_id(code), Organisation)
        if organisation is None:
            raise NotFound(f"organisation {code} not found",
                           {"code": [f"No organisation {code}."]})
        return organisation

    @retry_on_conflict()
    def assign_funder_role(self, programme_id: str, funder_id: str, role: str) -> Programme:
        programme = self.programme(programme_id)
        self.funder(funder_id)
        programme.assign_role(funder_id, role)
        self.save(programme)
        return programme

    @retry_on_conflict()
    def set_target(self, programme_id: str, indicator: str, **target: Any) -> Programme:
        programme = self.programme(programme_id)
        programme.set_target(indicator, target)
        self.save(programme)
        return programme

    @retry_on_conflict()
    def commit_funding(self, programme_id: str, funder_id: str, **commitment: Any) -> Programme:
        programme = self.programme(programme_id)
        self.funder(funder_id)
        commitment_id = commitment["commitment_id"]
        claim = self.find(CommitmentClaim.create_id(commitment_id), CommitmentClaim)
        if claim is not None and claim.programme_id != programme_id:
            raise Conflict(f"commitment {commitment_id} belongs to programme "
                           f"{claim.programme_id}", {"commitment_id": [
                               f"Already used by programme {claim.programme_id}; "
                               "commitment ids are unique across programmes."]})
        before = len(programme.commitments)
        programme.commit_funding(funder_id=funder_id, **commitment)
        if len(programme.commitments) == before:
            return programme  # the same commitment re-sent: nothing new
        # A commitment made before claims existed has none; this save claims it too.
        new_claim = [] if claim is not None else [
            CommitmentClaim(commitment_id=commitment_id, programme_id=programme_id)]
        self.save(programme, *new_claim)
        return programme

    @retry_on_conflict()
    def record_disbursement(self, programme_id: str, commitment_id: str, reference: str,
                            amount_kzt: int, disbursed_on: date) -> Programme:
        # One aggregate holds the commitment and its disbursements: two arriving at once
        # save against the same version, the loser retries and sees the winner's.
        programme = self.programme(programme_id)
        programme.disburse(commitment_id, reference, amount_kzt, disbursed_on)
        self.save(programme)
        return programme

    @retry_on_conflict()
    def join_programme(self, programme_id: str, organisation_id: str, model: str,
                       joined_on: date) -> Participation:
        programme = self.programme(programme_id)
        organisation = self.organisation(organisation_id)
        existing = self.find(Participation.create_id(programme_id, organisation_id),
                             Participation)
        if existing is not None:
            existing.check_same(model, joined_on)
            return existing
        if model not in programme.models:
            raise DomainRuleViolated(
                f"programme {programme_id} does not use the {model} model",
                {"model": [f"Must be one of the programme's models: {programme.models}."]})
        if organisation.region_code not in programme.regions:
            raise DomainRuleViolated(
                f"organisation {organisation_id} is outside programme {programme_id}'s regions",
                {"organisation_id": [f"Its region {organisation.region_code} is not one of "
                                     f"{programme.regions}."]})
        programme.check_within_period(joined_on, "joined_on")
        participation = Participation(
            programme_id=programme_id, organisation_id=organisation_id, model=model,
            joined_on=joined_on, kind=organisation.kind,
            region_code=organisation.region_code, district_code=organisation.district_code)
        self.save(participation)
        return participation
