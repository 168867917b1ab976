"""Which internal registry events become which public contracts, field by field."""

from __future__ import annotations

from typing import Any

from services.registry.access import AccessList
from services.registry.development import Partnership, Project, Strategy
from services.registry.domain import (
    IATI_ROLES,
    BinClaim,
    CommitmentClaim,
    Funder,
    Organisation,
    Participation,
    Programme,
)
from services.registry.places import KatoPlace
from shared.contracts import registry_events as v1
from shared.contracts.mapping import INTERNAL, ContractMap, Publish


def _place(event: Any) -> dict[str, Any]:
    return {"kato": event.kato, "level": event.level, "region_code": event.kato[:2],
            "district_code": event.kato[:4] if event.level == "district" else None,
            "name_kk": event.name_kk, "name_ru": event.name_ru, "name_en": event.name_en}


def _profile(event: Any) -> dict[str, Any]:
    return {"school_year": event.school_year, **event.profile}


CONTRACTS = ContractMap("registry", {
    Organisation.Registered: Publish(v1.OrganisationRegisteredV1, lambda e: {
        "organisation_id": e.organisation_id, "kind": e.kind, "region_code": e.region_code,
        "district_code": e.district_code, **_profile(e),
        "bin": e.bin, "name_kk": e.name_kk, "name_ru": e.name_ru, "name_en": e.name_en,
        "kato": e.kato}),
    Organisation.ProfileUpdated: Publish(v1.OrganisationProfileUpdatedV1, lambda e: {
        **e.keys, **_profile(e)}),
    # The BIN claim only enforces uniqueness; the registration is the fact.
    BinClaim.Claimed: INTERNAL,
    CommitmentClaim.Claimed: INTERNAL,  # likewise: the commitment is the fact
    Funder.Registered: Publish(v1.FunderRegisteredV1, lambda e: {
        "funder_id": e.funder_id, "name_kk": e.name_kk, "name_ru": e.name_ru,
        "name_en": e.name_en, "organisation_type": e.organisation_type,
        "iati_ref": e.iati_ref}),
    Programme.Launched: Publish(v1.ProgrammeLaunchedV1, lambda e: {
        "programme_id": e.programme_id, "name_kk": e.name_kk, "name_ru": e.name_ru,
        "name_en": e.name_en, "regions": e.regions, "start": e.start, "end": e.end,
        "models": e.models, "budget_kzt": e.budget_kzt}),
    Programme.FunderRoleAssigned: Publish(v1.FunderRoleAssignedV1, lambda e: {
        "programme_id": e.programme_id, "funder_id": e.funder_id, "role": e.role,
        "iati_role_code": IATI_ROLES[e.role]}),
    Programme.TargetSet: Publish(v1.TargetSetV1, lambda e: {
        "programme_id": e.programme_id, "indicator": e.indicator, **e.target}),
    Programme.FundingCommitted: Publish(v1.FundingCommittedV1, lambda e: {
        "programme_id": e.programme_id, "commitment_id": e.commitment_id,
        "funder_id": e.funder_id, "scope": e.scope, "amount_kzt": e.amount_kzt,
        "currency": "KZT", "committed_on": e.committed_on}),
    Programme.FundsDisbursed: Publish(v1.FundsDisbursedV1, lambda e: {
        "programme_id": e.programme_id, "commitment_id": e.commitment_id,
        "funder_id": e.funder_id, "reference": e.reference, "amount_kzt": e.amount_kzt,
        "currency": "KZT", "disbursed_on": e.disbursed_on}),
    # A renaming publishes the place's names anew; subjectversion orders the two.
    KatoPlace.Named: Publish(v1.PlaceNamedV1, _place),
    KatoPlace.Renamed: Publish(v1.PlaceNamedV1, _place),
    AccessList.Created: INTERNAL,  # the list itself; each grant is the fact
    AccessList.Granted: Publish(v1.AccessGrantedV1, lambda e: {
        "principal": e.principal, "role": e.role, "programmes": e.programmes,
        "granted_by": e.granted_by}),
    AccessList.Revoked: Publish(v1.AccessRevokedV1, lambda e: {
        "principal": e.principal, "revoked_by": e.revoked_by}),
    # Version 2 is built; version 1 is published until CONTRACTS.publish says 2.
    Participation.Joined: Publish(v1.OrganisationJoinedProgrammeV2, lambda e: {
        "organisation_id": e.organisation_id, "kind": e.kind, "region_code": e.region_code,
        "district_code": e.district_code, "programme_id": e.programme_id,
        "model": e.model, "joined_on": e.joined_on,
        "school_year": v1.school_year_of(e.joined_on)}),
    Strategy.Adopted: Publish(v1.StrategyAdoptedV1, lambda e: {
        "strategy_id": e.strategy_id, "programme_id": e.programme_id,
        "organisation_id": e.organisation_id, "title": e.title, "adopted_on": e.adopted_on,
        "valid_until": e.valid_until}),
    Project.Launched: Publish(v1.ProjectLaunchedV1, lambda e: {
        "project_id": e.project_id, "programme_id": e.programme_id,
        "organisation_id": e.organisation_id, "title": e.title, "launched_on": e.launched_on,
        "strategy_id": e.strategy_id}),
    Partnership.Signed: Publish(v1.PartnershipSignedV1, lambda e: {
        "partnership_id": e.partnership_id, "programme_id": e.programme_id,
        "organisation_id": e.organisation_id, "partner_name": e.partner_name,
        "partner_kind": e.partner_kind, "signed_on": e.signed_on, "purpose": e.purpose,
        "memorandum_ref": e.memorandum_ref}),
})
