"""What training knows of the registry: the programmes launched and the schools that joined
each, learnt from the registry's public events (ProgrammeLaunched,
OrganisationJoinedProgramme), never from its code. A command naming a programme or a school
is checked against them, so that no fact names something that does not exist, or a school
in a programme it does not belong to.

Learning is eventual (the registry's events reach training a moment after they are stored),
so a miss is told apart from a refusal: the check raises `NotKnownYet`, on which the service
runs one catch-up from the registry's log and asks again (services/training/service.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from shared.application import ServiceApplication, retry_on_conflict
from shared.errors import BaqylauError, DomainRuleViolated, NotFound

NAMESPACE = uuid.UUID("5b0d3a8e-6c1f-4f7e-8d2a-3e9b7c4a1f62")
AGAIN = "send again after catch-up"


class RegistryProgramme(Aggregate):
    """A programme the registry launched: training's own copy of the fact."""

    @staticmethod
    def create_id(programme_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"programme/{programme_id}")

    @event("Launched")
    def __init__(self, programme_id: str) -> None:
        self.programme_id = programme_id


class ProgrammeSchool(Aggregate):
    """A school of a programme, as the registry announced it. One small aggregate per
    programme and school (as in assessment), so that a join is one insert and the check one
    lookup whatever the programme's size."""

    @staticmethod
    def create_id(programme_id: str, school_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"programme-school/{programme_id}/{school_id}")

    @event("Joined")
    def __init__(self, programme_id: str, school_id: str) -> None:
        self.programme_id = programme_id
        self.school_id = school_id


class KnownSchool(Aggregate):
    """A school that joined some programme: a category attested outside any programme still
    names a school the registry has, never one made up."""

    @staticmethod
    def create_id(school_id: str, **_: object) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"school/{school_id}")

    @event("Learnt")
    def __init__(self, school_id: str) -> None:
        self.school_id = school_id


class NotKnownYet(Exception):
    """Training does not know the programme or school named: unknown, of another programme,
    or registered moments ago. Never sent as it is: the service learns once, asks again,
    and sends `refusal` (a NotFound or DomainRuleViolated naming the field) if still so."""

    def __init__(self, refusal: BaqylauError) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def unknown_programme(programme_id: str, field: str = "programme_id") -> NotKnownYet:
    return NotKnownYet(NotFound(
        f"programme {programme_id} is not known to training: unknown to the registry, or "
        f"launched moments ago; {AGAIN}",
        {field: [f"No programme {programme_id} known to training (unknown, or launched "
                 f"moments ago: {AGAIN})."]}))


def outside_programme(programme_id: str, school_id: str, field: str) -> NotKnownYet:
    return NotKnownYet(DomainRuleViolated(
        f"organisation {school_id} is not known to training as a school of programme "
        f"{programme_id}: an unknown organisation, one of another programme, or one that "
        f"joined moments ago; {AGAIN}",
        {field: [f"Not a school of programme {programme_id} known to training (unknown, "
                 f"of another programme, or joined moments ago: {AGAIN})."]}))


class RegistryFacts(ServiceApplication):
    """The registry's facts in training's store, and the checks made with them. A fact once
    found is kept in memory: the registry has no event that undoes a launch or a join, and
    an enrolment's check then costs no read."""

    FACTS_KEPT = 100_000

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._facts_found: set[uuid.UUID] = set()

    def _knows(self, fact_id: uuid.UUID, kind: type[Aggregate]) -> bool:
        if fact_id in self._facts_found:
            return True
        if self.find(fact_id, kind) is None:
            return False
        if len(self._facts_found) < self.FACTS_KEPT:
            self._facts_found.add(fact_id)
        return True

    @retry_on_conflict()
    def record_programme_launched(self, programme_id: str) -> None:
        if self.find(RegistryProgramme.create_id(programme_id), RegistryProgramme) is None:
            self.save(RegistryProgramme(programme_id=programme_id))

    @retry_on_conflict()
    def record_school_joined(self, programme_id: str, school_id: str) -> None:
        facts: list[Aggregate] = []
        if self.find(ProgrammeSchool.create_id(programme_id, school_id),
                     ProgrammeSchool) is None:
            facts.append(ProgrammeSchool(programme_id=programme_id, school_id=school_id))
        if self.find(KnownSchool.create_id(school_id), KnownSchool) is None:
            facts.append(KnownSchool(school_id=school_id))
        if facts:
            self.save(*facts)

    def check_known_school(self, school_id: str, field: str = "school_id") -> None:
        """Raise NotKnownYet unless the school joined some programme, as far as training
        learnt (a fact outside any programme)."""
        if not self._knows(KnownSchool.create_id(school_id), KnownSchool):
            raise NotKnownYet(DomainRuleViolated(
                f"organisation {school_id} is not known to training as a school of any "
                f"programme: unknown, or joined moments ago; {AGAIN}",
                {field: [f"No school {school_id} known to training (unknown, or joined "
                         f"moments ago: {AGAIN})."]}))

    def check_programme(self, programme_id: str, field: str = "programme_id") -> None:
        """Raise NotKnownYet unless the registry's launch of the programme was learnt."""
        if not self._knows(RegistryProgramme.create_id(programme_id), RegistryProgramme):
            raise unknown_programme(programme_id, field)

    def check_school(self, programme_id: str, school_id: str,
                     field: str = "school_id") -> None:
        """Raise NotKnownYet unless the school joined the programme, as far as training
        learnt: an Aktobe school's teacher in an Uralsk course is refused like a typo."""
        if not self._knows(ProgrammeSchool.create_id(programme_id, school_id),
                           ProgrammeSchool):
            raise outside_programme(programme_id, school_id, field)

    def unknown_schools(self, programme_id: str, school_ids: Any) -> list[str]:
        """The schools of `school_ids` not known as the programme's (a bulk call's miss)."""
        return sorted(s for s in set(school_ids)
                      if not self._knows(ProgrammeSchool.create_id(programme_id, s),
                                         ProgrammeSchool))
