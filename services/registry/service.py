"""The registry service's nameko adapter: validate (marshmallow), delegate, dump."""

from __future__ import annotations

import contextvars
from typing import Any

import eventlet

from services.registry import access as a
from services.registry import development_schemas as d
from services.registry import schemas as s
from services.registry.app import RegistryApplication
from services.registry.contracts import CONTRACTS
from services.registry.directory import Directory
from services.registry.kato_import import ImportKato, KatoRow
from services.registry.places import level_of
from shared.access.caller import provenance, scope
from shared.commands import command
from shared.errors import BaqylauError
from shared.eventstore import EventStore
from shared.metrics import IMPORT_ROWS
from shared.service import EventSourcedService
from shared.validation import load

# Rows of one import batch saved side by side, so that their saves share group commits.
ROWS_IN_FLIGHT = 10


def rows_sharing_identity(rows: list[dict[str, Any]]) -> list[list[tuple[int, dict[str, Any]]]]:
    """The numbered rows grouped so that rows sharing an organisation_id or a BIN (as text;
    a cell of another type names nothing yet, and is refused when its row is read) fall in
    one group, each group in file order."""
    group_of: dict[tuple[str, str], int] = {}
    groups: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for position, row in enumerate(rows, start=1):
        keys = [(name, row[name]) for name in ("organisation_id", "bin")
                if isinstance(row.get(name), str)]
        joined = sorted({group_of[key] for key in keys if key in group_of}) or [position]
        into = joined[0]
        groups.setdefault(into, []).append((position, row))
        for other in joined[1:]:  # this row links two groups: they become one
            groups[into].extend(groups.pop(other))
        for key in keys:
            group_of[key] = into
        for other in joined[1:]:
            for key, group in group_of.items():
                if group == other:
                    group_of[key] = into
    return [sorted(group, key=lambda numbered: numbered[0]) for group in groups.values()]


class RegistryService(EventSourcedService):
    """Organisations (with a profile per school year), funders, programmes, their targets,
    commitments and participants. Every command takes keyword arguments validated by the
    schema of the same name; re-sending a command with the same ids stores nothing."""

    name = "registry"
    store = EventStore(RegistryApplication, CONTRACTS, fold=Directory)
    access = a.RegistryAccessBook()

    @property
    def app(self) -> RegistryApplication:
        return self.store.app  # type: ignore[return-value]

    @property
    def directory(self) -> Directory:
        return self.store.fold  # type: ignore[no-any-return]

    # ------------------------------------------------------------ organisations
    @command
    def register_organisation(self, **payload: Any) -> dict[str, Any]:
        """Register a school, preschool or college with its profile for a school year; for a
        registered one, record the profile of another (or a corrected) school year.
        Reply: the organisation's view with "outcome": registered, updated or unchanged."""
        data = s.split_profile(load(s.RegisterOrganisation(), payload))
        organisation, outcome = self.app.register_organisation(**data)
        return {**s.OrganisationView().dump(organisation), "outcome": outcome}

    @command
    def import_organisations(self, **payload: Any) -> dict[str, Any]:
        """Import up to 500 CSV rows (dicts of text cells with their "row" number).

        Each row is validated and saved on its own: a bad row is reported and skipped and
        never touches the good ones, and importing the same rows again changes nothing.
        Reply: {"rows": [{"row": 2, "organisation_id": "...", "outcome": "registered"},
                         {"row": 3, "outcome": "rejected", "errors": {"bin": ["..."]}}],
                "counts": {"registered": 1, "rejected": 1}}"""
        batch = load(s.ImportOrganisations(), payload)
        report = self._import_rows(batch["rows"], batch["school_year"])
        counts: dict[str, int] = {}
        for line in report:
            counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
            IMPORT_ROWS.labels("registry", "organisation", line["outcome"]).inc()
        return {"rows": report, "counts": counts}

    def _import_rows(self, rows: list[dict[str, Any]], school_year: str) -> list[dict[str, Any]]:
        """Rows that name the same organisation or BIN in file order, as one at a time would
        take them (the last profile of a year wins; a BIN goes to its first organisation);
        other rows side by side. The report in row order."""
        caller = contextvars.copy_context()  # who imports: each row's events name them

        def import_in_order(numbered: list[tuple[int, dict[str, Any]]]) -> list[Any]:
            return caller.copy().run(lambda: [
                (position, self._import_row(position, row, school_year))
                for position, row in numbered])

        pool = eventlet.GreenPool(ROWS_IN_FLIGHT)
        try:
            lines = [line for done in pool.imap(import_in_order, rows_sharing_identity(rows))
                     for line in done]
        finally:
            pool.waitall()  # none still saving after the reply, even when one raised
        return [line for _, line in sorted(lines, key=lambda pair: pair[0])]

    def _import_row(self, position: int, row: dict[str, Any], school_year: str) -> dict[str, Any]:
        number = row.get("row", position)
        try:
            data = load(s.ImportRow(), row)
            data.pop("row")
            data["school_year"] = data["school_year"] or school_year
            organisation, outcome = self.app.register_organisation(**s.split_profile(data))
        except BaqylauError as exc:  # every refusal names its fields (`_schema` if none)
            return {"row": number, "organisation_id": row.get("organisation_id"),
                    "outcome": "rejected", "errors": exc.errors}
        return {"row": number, "organisation_id": organisation.organisation_id,
                "outcome": outcome}

    @command
    def import_kato(self, **payload: Any) -> dict[str, Any]:
        """Import up to 500 rows of the KATO classifier file (dicts of text cells with their
        "row" number): regions and districts are stored with their names, lower levels are
        "skipped" (reports group by district), and the same rows again are "unchanged".
        Reply: {"rows": [{"row": 2, "kato": "150000000", "outcome": "named"},
                         {"row": 3, "outcome": "rejected", "errors": {"te": ["..."]}}],
                "counts": {"named": 1, "rejected": 1}}"""
        batch = load(ImportKato(), payload)
        report = [self._kato_row(n, row) for n, row in enumerate(batch["rows"], start=1)]
        counts: dict[str, int] = {}
        for line in report:
            counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
            IMPORT_ROWS.labels("registry", "kato", line["outcome"]).inc()
        return {"rows": report, "counts": counts}

    def _kato_row(self, position: int, row: dict[str, Any]) -> dict[str, Any]:
        number = row.get("row", position) if isinstance(row, dict) else position
        try:
            data = load(KatoRow(), row)
        except BaqylauError as exc:
            return {"row": number, "kato": row.get("te"), "outcome": "rejected",
                    "errors": exc.errors}
        level = level_of(data["te"])
        if level is None:
            return {"row": number, "kato": data["te"], "outcome": "skipped"}
        _, outcome = self.app.name_place(kato=data["te"], level=level,
                                         name_kk=data["name_kaz"], name_ru=data["name_rus"],
                                         name_en=data["name_en"])
        return {"row": number, "kato": data["te"], "outcome": outcome}

    @command
    def update_profile(self, **payload: Any) -> dict[str, Any]:
        """Record an organisation's profile for a school year (the history is kept)."""
        data = s.split_profile(load(s.UpdateProfile(), payload))
        return s.OrganisationView().dump(self.app.update_profile(**data))

    # ------------------------------------------------------------ funders and programmes
    @command
    def register_funder(self, **payload: Any) -> dict[str, Any]:
        """Register a funder: foundation, party, akimat, ministry or company."""
        return s.FunderView().dump(self.app.register_funder(**load(s.RegisterFunder(), payload)))

    @command
    def launch_programme(self, **payload: Any) -> dict[str, Any]:
        """Launch a programme: names, regions, period, development models, budget in KZT."""
        return s.ProgrammeView().dump(
            self.app.launch_programme(**load(s.LaunchProgramme(), payload)))

    @command
    def assign_funder_role(self, **payload: Any) -> dict[str, Any]:
        """Give a funder an IATI role in a programme (funding, accountable, extending,
        implementing). Committing funds makes a funder a funding one by itself."""
        return s.ProgrammeView().dump(
            self.app.assign_funder_role(**load(s.AssignFunderRole(), payload)))

    @command
    def set_target(self, **payload: Any) -> dict[str, Any]:
        """Set or revise an indicator's baseline and per-period targets."""
        return s.ProgrammeView().dump(self.app.set_target(**load(s.SetTarget(), payload)))

    @command
    def commit_funding(self, **payload: Any) -> dict[str, Any]:
        """Commit a funder's money, in whole tenge, to a programme and scope. Refused if the
        programme's commitments would exceed its budget, naming the excess."""
        return s.ProgrammeView().dump(self.app.commit_funding(**load(s.CommitFunding(), payload)))

    @command(programme=scope("programme_id"))
    def record_disbursement(self, **payload: Any) -> dict[str, Any]:
        """Record a payment the funder made under its commitment (reference: the payment
        order, the natural key). Refused if disbursements would exceed the commitment,
        naming the excess; the same reference re-sent stores nothing."""
        return s.ProgrammeView().dump(
            self.app.record_disbursement(**load(s.RecordDisbursement(), payload)))

    @command
    def join_programme(self, **payload: Any) -> dict[str, Any]:
        """Let a registered organisation of the programme's regions take part in it."""
        return s.ParticipationView().dump(
            self.app.join_programme(**load(s.JoinProgramme(), payload)))

    # ------------------------------------------------------------ a school's development
    @command(programme=scope("programme_id"))
    def adopt_strategy(self, **payload: Any) -> dict[str, Any]:
        """Record the development strategy a school of the programme adopted (strategy_id:
        the natural key). Reply: the strategy with "outcome": recorded or unchanged."""
        strategy, outcome = self.app.adopt_strategy(**load(d.AdoptStrategy(), payload))
        return {**d.StrategyView().dump(strategy), "outcome": outcome}

    @command(programme=scope("programme_id"))
    def launch_project(self, **payload: Any) -> dict[str, Any]:
        """Record a project a school of the programme launched, serving one of its own
        strategies (strategy_id) or none. Reply: the project with "outcome"."""
        project, outcome = self.app.launch_project(**load(d.LaunchProject(), payload))
        return {**d.ProjectView().dump(project), "outcome": outcome}

    @command(programme=scope("programme_id"))
    def sign_partnership(self, **payload: Any) -> dict[str, Any]:
        """Record a partner a school of the programme drew in, with the memorandum signed
        (partner_kind: business, ngo, university, government, school, other). Reply: the
        partnership with "outcome"."""
        partnership, outcome = self.app.sign_partnership(**load(d.SignPartnership(), payload))
        return {**d.PartnershipView().dump(partnership), "outcome": outcome}

    # ------------------------------------------------------------ grants
    @command
    def grant_access(self, **payload: Any) -> dict[str, Any]:
        """Grant a calling system (its broker user) a role (academy, school-data, finance,
        reader) for some programmes, or every one (["*"]); it replaces the principal's
        earlier grant and is in force on every replica within about a second. Operators
        only. Reply: the grant."""
        data = load(a.GrantAccess(), payload)
        a.refuse_built_in(data["principal"], set(self.access.built_in))
        return a.GrantView().dump(self.app.grant_access(
            granted_by=provenance()["recorded_by"], **data))

    @command
    def revoke_access(self, **payload: Any) -> dict[str, Any]:
        """Revoke a calling system's grant, with the reason: from within about a second it
        may call nothing. Operators only. Reply: the grant as revoked."""
        data = load(a.RevokeAccess(), payload)
        return a.RevokedGrantView().dump(self.app.revoke_access(
            revoked_by=provenance()["recorded_by"], **data))

    @command
    def list_access(self, **payload: Any) -> dict[str, Any]:
        """The grants in force (and the revoked ones with `include_revoked`), by principal.
        Reply: {"grants": [...], "revoked": [...]}"""
        query = load(a.ListAccess(), payload)
        access = self.app.access_in_force() or a.AccessList()
        reply = {"grants": a.GrantView(many=True).dump(
            sorted(access.grants.values(), key=lambda g: g["principal"]))}
        if query["include_revoked"]:
            reply["revoked"] = a.RevokedGrantView(many=True).dump(
                sorted(access.revoked.values(), key=lambda g: g["principal"]))
        return reply

    # ------------------------------------------------------------ queries
    @command
    def get_organisation(self, **payload: Any) -> dict[str, Any]:
        query = load(s.OrganisationQuery(), payload)
        return s.OrganisationView().dump(self.app.organisation(query["organisation_id"]))

    @command
    def find_organisation(self, **payload: Any) -> dict[str, Any]:
        """An organisation by its code or its BIN: {"code": "AKT-001"} or {"bin":
        "940140000385"} -> the organisation's view; NotFound naming `code` or `bin`."""
        return s.OrganisationView().dump(
            self.app.find_organisation(**load(s.FindOrganisation(), payload)))

    @command
    def get_funder(self, **payload: Any) -> dict[str, Any]:
        return s.FunderView().dump(self.app.funder(load(s.FunderQuery(), payload)["funder_id"]))

    @command
    def get_programme(self, **payload: Any) -> dict[str, Any]:
        query = load(s.ProgrammeQuery(), payload)
        return s.ProgrammeView().dump(self.app.programme(query["programme_id"]))

    @command
    def list_organisations(self, **payload: Any) -> dict[str, Any]:
        """Organisations with their current profile, by id, filtered by programme, region,
        district or kind; page with `after` = the previous page's `next_after`."""
        return self.directory.list_organisations(**load(s.ListOrganisations(), payload))

    @command
    def programme_summary(self, **payload: Any) -> dict[str, Any]:
        """Counts by kind, size class, locality and district, contingent and teachers (for a
        school year, or each organisation's latest), budget and commitments to the tenge."""
        query = load(s.ProgrammeQuery(), payload)
        self.app.programme(query["programme_id"])  # NotFound for an unknown programme
        return self.directory.programme_summary(query["programme_id"], query["school_year"])
