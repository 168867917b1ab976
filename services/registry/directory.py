"""A fold of the registry log for questions across aggregates: lists and programme summaries.

The numbers a funder sees come from the reporting service; this summary is the registry's own
account of what it holds, used by `make demo` and by operators to check an import.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from services.registry.domain import Organisation, Participation, Programme
from services.registry.kato import DISTRICTS
from shared.application import ServiceApplication
from shared.fold import LogFold

# The Aktobe pilot's allocation rule splits small schools at 80 pupils; the summary shows it.
SIZE_THRESHOLD = 80


@dataclass
class OrganisationEntry:
    organisation_id: str
    kind: str
    name_ru: str
    kato: str
    region_code: str
    district_code: str
    profiles: dict[str, dict[str, Any]]

    def profile(self, school_year: str | None) -> dict[str, Any] | None:
        if school_year is None:
            return self.profiles[max(self.profiles)]
        return self.profiles.get(school_year)

    def listing(self) -> dict[str, Any]:
        year = max(self.profiles)
        return {"organisation_id": self.organisation_id, "kind": self.kind,
                "name_ru": self.name_ru, "kato": self.kato, "region_code": self.region_code,
                "district_code": self.district_code, "school_year": year,
                **self.profiles[year]}


@dataclass
class ProgrammeEntry:
    budget_kzt: int | None
    participants: dict[str, str] = field(default_factory=dict)  # organisation -> model
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)


class Directory(LogFold):
    def __init__(self, app: ServiceApplication, page: int = 1000) -> None:
        super().__init__(app, page)
        self.organisations: dict[str, OrganisationEntry] = {}
        self.programmes: dict[str, ProgrammeEntry] = {}

    def apply(self, e: Any) -> None:
        if isinstance(e, Organisation.Registered):
            self.organisations[e.organisation_id] = OrganisationEntry(
                e.organisation_id, e.kind, e.name_ru, e.kato, e.region_code,
                e.district_code, {e.school_year: e.profile})
        elif isinstance(e, Organisation.ProfileUpdated):
            self.organisations[e.keys["organisation_id"]].profiles[e.school_year] = e.profile
        elif isinstance(e, Programme.Launched):
            self.programmes[e.programme_id] = ProgrammeEntry(budget_kzt=e.budget_kzt)
        elif isinstance(e, Programme.FundingCommitted):
            self.programmes[e.programme_id].commitments[e.commitment_id] = {
                "funder_id": e.funder_id, "scope": e.scope, "amount_kzt": e.amount_kzt}
        elif isinstance(e, Participation.Joined):
            self.programmes[e.programme_id].participants[e.organisation_id] = e.model

    # ------------------------------------------------------------ queries
    def list_organisations(self, programme_id: str | None, region_code: str | None,
                           district_code: str | None, kind: str | None, after: str | None,
                           limit: int) -> dict[str, Any]:
        def query() -> dict[str, Any]:
            codes = (self.programmes[programme_id].participants
                     if programme_id in self.programmes else
                     [] if programme_id else self.organisations)
            entries = [self.organisations[c] for c in sorted(codes)
                       if after is None or c > after]
            entries = [o for o in entries
                       if (region_code is None or o.region_code == region_code)
                       and (district_code is None or o.district_code == district_code)
                       and (kind is None or o.kind == kind)]
            page = entries[:limit]
            return {"items": [o.listing() for o in page],
                    "next_after": page[-1].organisation_id if len(entries) > limit else None,
                    "as_of_notification_id": self.position}
        return self.read(query)

    def programme_summary(self, programme_id: str, school_year: str | None) -> dict[str, Any]:
        return self.read(lambda: self._summary(programme_id, school_year))

    def _summary(self, programme_id: str, school_year: str | None) -> dict[str, Any]:
        programme = self.programmes[programme_id]
        kinds: Counter[str] = Counter()
        models: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        localities: Counter[str] = Counter()
        districts: dict[str, Counter[str]] = defaultdict(Counter)
        totals: Counter[str] = Counter()
        for code, model in programme.participants.items():
            organisation = self.organisations[code]
            kinds[organisation.kind] += 1
            models[model] += 1
            profile = organisation.profile(school_year)
            if profile is None:
                totals["without_profile_for_year"] += 1
                continue
            localities[profile["locality"]] += 1
            district = districts[organisation.district_code]
            district["organisations"] += 1
            district["pupils"] += profile["pupils"]
            totals["pupils"] += profile["pupils"]
            totals["teachers"] += profile["teachers"]
            if organisation.kind == "school":
                totals["small_class_schools"] += profile["small_class"]
                sizes["over_80_pupils" if profile["pupils"] > SIZE_THRESHOLD
                      else "80_or_fewer_pupils"] += 1
        committed = sum(c["amount_kzt"] for c in programme.commitments.values())
        by_funder: Counter[str] = Counter()
        by_scope: Counter[str] = Counter()
        for commitment in programme.commitments.values():
            by_funder[commitment["funder_id"]] += commitment["amount_kzt"]
            by_scope[commitment["scope"]] += commitment["amount_kzt"]
        return {
            "programme_id": programme_id, "school_year": school_year or "current",
            "as_of_notification_id": self.position,
            "organisations": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())),
            "by_model": dict(sorted(models.items())),
            "by_locality": dict(sorted(localities.items())),
            "schools_by_size": dict(sorted(sizes.items())),
            "small_class_schools": totals["small_class_schools"],
            "pupils": totals["pupils"], "teachers": totals["teachers"],
            "without_profile_for_year": totals["without_profile_for_year"],
            "by_district": {code: {"district": DISTRICTS.get(code, f"district {code}"),
                                   **counts} for code, counts in sorted(districts.items())},
            "budget_kzt": programme.budget_kzt, "committed_kzt": committed,
            "uncommitted_kzt": (programme.budget_kzt - committed
                                if programme.budget_kzt is not None else None),
            "committed_by_funder": dict(sorted(by_funder.items())),
            "committed_by_scope": dict(sorted(by_scope.items())),
        }
