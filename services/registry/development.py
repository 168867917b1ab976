"""A school's development, as its programme records it: the strategy its governing body
adopted, the projects it launched (each serving a strategy, or none yet), and the partners
it drew in, each with a memorandum signed.

Each fact is its own aggregate, named by the caller's id (uuid5 of it), so that an id means
one fact platform-wide: the report keys strategies, projects and partnerships by id alone.
Sending a fact again with the same details stores nothing; with other details it is a
Conflict naming each field that differs. A caller's grant covers some programmes only, so an
id that another programme's fact holds is refused naming the id alone: what that fact says
is never compared, nor named, for a caller of another programme.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate, event

from services.registry.domain import Organisation, Participation, Programme, natural_id, resent
from shared.application import ServiceApplication, retry_on_conflict
from shared.contracts import registry_events
from shared.errors import Conflict, DomainRuleViolated, NotFound

# The public contract's list, so the command and the event can never disagree.
PARTNER_KINDS = tuple(registry_events.PARTNER_KINDS)


class DevelopmentFact:
    """What the three facts share (a mixin, not an aggregate: eventsourcing would make an
    aggregate's annotations its fields). `KIND` names its id (`<kind>_id`); `FIELDS` are
    the details a resent command is compared on."""

    KIND: ClassVar[str]
    FIELDS: ClassVar[tuple[str, ...]]

    def details(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


class Strategy(DevelopmentFact, Aggregate):
    """A school's development strategy, adopted on a date, for some years or open-ended."""

    KIND = "strategy"
    FIELDS = ("programme_id", "organisation_id", "title", "adopted_on", "valid_until")

    @staticmethod
    def create_id(strategy_id: str, **_: object) -> uuid.UUID:
        return natural_id("strategy", strategy_id)

    @event("Adopted")
    def __init__(self, strategy_id: str, programme_id: str, organisation_id: str, title: str,
                 adopted_on: date, valid_until: date | None) -> None:
        self.strategy_id = strategy_id
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.title = title
        self.adopted_on = adopted_on
        self.valid_until = valid_until


class Project(DevelopmentFact, Aggregate):
    """A project a school launched, serving one of its own strategies or none."""

    KIND = "project"
    FIELDS = ("programme_id", "organisation_id", "title", "launched_on", "strategy_id")

    @staticmethod
    def create_id(project_id: str, **_: object) -> uuid.UUID:
        return natural_id("project", project_id)

    @event("Launched")
    def __init__(self, project_id: str, programme_id: str, organisation_id: str, title: str,
                 launched_on: date, strategy_id: str | None) -> None:
        self.project_id = project_id
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.title = title
        self.launched_on = launched_on
        self.strategy_id = strategy_id


class Partnership(DevelopmentFact, Aggregate):
    """A partner a school drew in (a business, an NGO, a university, the akimat...), with
    the memorandum both signed."""

    KIND = "partnership"
    FIELDS = ("programme_id", "organisation_id", "partner_name", "partner_kind", "signed_on",
              "purpose", "memorandum_ref")

    @staticmethod
    def create_id(partnership_id: str, **_: object) -> uuid.UUID:
        return natural_id("partnership", partnership_id)

    @event("Signed")
    def __init__(self, partnership_id: str, programme_id: str, organisation_id: str,
                 partner_name: str, partner_kind: str, signed_on: date, purpose: str,
                 memorandum_ref: str) -> None:
        self.partnership_id = partnership_id
        self.programme_id = programme_id
        self.organisation_id = organisation_id
        self.partner_name = partner_name
        self.partner_kind = partner_kind
        self.signed_on = signed_on
        self.purpose = purpose
        self.memorandum_ref = memorandum_ref


F = TypeVar("F", bound=DevelopmentFact)


class DevelopmentFacts(ServiceApplication):
    """The registry application's development facts (RegistryApplication inherits them).
    Each command answers the fact and what happened: "recorded" or "unchanged"."""

    @retry_on_conflict()
    def adopt_strategy(self, **fact: Any) -> tuple[Strategy, str]:
        return self._record_fact(Strategy, fact)

    @retry_on_conflict()
    def launch_project(self, **fact: Any) -> tuple[Project, str]:
        return self._record_fact(Project, fact, serves=fact["strategy_id"])

    @retry_on_conflict()
    def sign_partnership(self, **fact: Any) -> tuple[Partnership, str]:
        return self._record_fact(Partnership, fact)

    def _record_fact(self, kind: type[F], fact: dict[str, Any],
                     serves: str | None = None) -> tuple[F, str]:
        """Record `fact` as a new `kind`, once its school is the programme's and the
        strategy it `serves` (a project's) is the school's own in that programme."""
        self.check_participant(fact["programme_id"], fact["organisation_id"])
        key = fact[f"{kind.KIND}_id"]
        existing = self.find(kind.create_id(key), kind)  # type: ignore[attr-defined]
        if existing is not None:
            self.check_same_programme(existing, fact["programme_id"])
            wanted = {name: fact[name] for name in kind.FIELDS}
            resent(existing.details(), wanted, f"{kind.KIND} {key}")
            return existing, "unchanged"
        if serves is not None:
            self.check_own_strategy(serves, fact["programme_id"], fact["organisation_id"])
        created = kind(**fact)
        # A twin sent at the same moment collides on version 1; the retry compares with it.
        self.save(created)
        return created, "recorded"

    def check_participant(self, programme_id: str, organisation_id: str) -> None:
        """The programme and the organisation exist and the organisation joined it: a
        school's development is recorded by the programme it takes part in."""
        self.load_by_key(Programme, "programme", programme_id)
        self.load_by_key(Organisation, "organisation", organisation_id)
        joined = self.find(Participation.create_id(programme_id, organisation_id),
                           Participation)
        if joined is None:
            raise DomainRuleViolated(
                f"organisation {organisation_id} has not joined programme {programme_id}",
                {"organisation_id": [f"Not a participant of programme {programme_id}."]})

    @staticmethod
    def check_same_programme(existing: DevelopmentFact, programme_id: str) -> None:
        """The id is free for this programme's caller, or already one of its own facts. Of
        another programme's fact nothing is said but that the id is taken: the caller's
        grant may not cover that programme."""
        if existing.details()["programme_id"] != programme_id:
            field = f"{existing.KIND}_id"
            raise Conflict(f"{field}: already used", {field: ["Already used."]})

    def check_own_strategy(self, strategy_id: str, programme_id: str,
                           organisation_id: str) -> None:
        """A project serves a strategy its own school adopted in the same programme. Any
        other strategy is refused without saying whose it is: it may be another programme's."""
        strategy = self.find(Strategy.create_id(strategy_id), Strategy)
        if strategy is None:
            raise NotFound(f"strategy {strategy_id} not found",
                           {"strategy_id": [f"No strategy {strategy_id}."]})
        if (strategy.programme_id, strategy.organisation_id) != (programme_id,
                                                                 organisation_id):
            raise DomainRuleViolated(
                f"strategy {strategy_id} is not {organisation_id}'s in programme "
                f"{programme_id}",
                {"strategy_id": [f"Not a strategy of {organisation_id} in programme "
                                 f"{programme_id}."]})
