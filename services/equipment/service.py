"""The equipment service's nameko adapter: validate (marshmallow), delegate, dump; and the
subscriptions to the registry's events that drive allocation."""

from __future__ import annotations

from typing import Any

from services.equipment import schemas as s
from services.equipment.app import EquipmentApplication
from services.equipment.contracts import CONTRACTS
from services.equipment.tally import EquipmentTally
from shared.access.caller import scope
from shared.broker import subscribe
from shared.commands import command
from shared.dead_letters import DeadLetterRpc
from shared.eventstore import EventStore
from shared.follow import SourceLog, catch_up_timer
from shared.reading import EnvelopeReader
from shared.service import EventSourcedService
from shared.validation import load


def registry_event(event_type: str) -> Any:
    return subscribe("registry", event_type)


# The programme money is spent for, checked against a caller's grant.
OF_COMMITMENT = scope("commitment_id",
                      lambda svc, commitment_id: svc.app.ledger(commitment_id).programme_id)

class EquipmentService(EventSourcedService, DeadLetterRpc):
    """Digital cabinets from allocation to commissioning, charged to funders' commitments."""

    name = "equipment"
    store = EventStore(EquipmentApplication, CONTRACTS, fold=EquipmentTally)
    registry_log = SourceLog("registry")
    reader = EnvelopeReader()  # the registry's events at the versions this deployment reads

    @property
    def app(self) -> EquipmentApplication:
        return self.store.app  # type: ignore[return-value]

    @property
    def tally(self) -> EquipmentTally:
        return self.store.fold  # type: ignore[no-any-return]

    # ------------------------------------------------------------ registry events
    @registry_event("OrganisationRegistered")
    def on_organisation_registered(self, message: dict[str, Any]) -> None:
        self._apply(message)

    @registry_event("OrganisationProfileUpdated")
    def on_profile_updated(self, message: dict[str, Any]) -> None:
        self._apply(message)

    @registry_event("OrganisationJoinedProgramme")
    def on_joined_programme(self, message: dict[str, Any]) -> None:
        self._apply(message)

    @registry_event("FundingCommitted")
    def on_funding_committed(self, message: dict[str, Any]) -> None:
        self._apply(message)

    def _apply(self, message: dict[str, Any]) -> None:
        # Unreadable (raised here) goes to the dead letters at once; see shared/poison.py.
        # TooNew waits for this consumer's upgrade (shared/reading.py).
        envelope = self.reader.read(message)
        self.app.apply_registry_fact(envelope.type, envelope.data)

    @catch_up_timer
    def follow_registry(self) -> None:
        """On start and every CATCH_UP.interval: what the queues missed, from the log."""
        self.registry_log.tick()

    @command
    def catch_up_registry(self, **payload: Any) -> dict[str, Any]:
        """Apply the registry's log past equipment's watermark now (as the periodic
        catch-up does): for a new deployment, or events its queues missed. Idempotent.
        Reply: {"read": 1532, "applied": 611, "after": 1532, "last_notification_id": 1532}"""
        load(s.Command(), payload)
        return self.registry_log.follow()

    # ------------------------------------------------------------ commands
    @command
    def set_allocation_rule(self, **payload: Any) -> dict[str, Any]:
        """Set a programme's rule and (re)allocate every school of the programme known here.
        Reply: the rule with "cabinets_changed"."""
        data = load(s.SetAllocationRule(), payload)
        rule = self.app.set_allocation_rule(**data)
        changed = sum(len(self.app.allocate_site(organisation_id, data["programme_id"]))
                      for organisation_id in self.tally.organisations(data["programme_id"]))
        return {**s.RuleView().dump(rule), "cabinets_changed": changed}

    @command(programme=OF_COMMITMENT)
    def record_expenditure(self, **payload: Any) -> dict[str, Any]:
        """Money spent on an activity other than a cabinet (seminars, trainers' fees, an
        online platform, assessment, administration...), charged to a funder's commitment:
        refused, naming the excess, if it would overspend what procurement and earlier
        spending left. Re-sending the same reference stores nothing. Reply: the ledger."""
        return s.LedgerView().dump(self.app.record_expenditure(
            **load(s.RecordExpenditure(), payload)))

    @command
    def procure(self, **payload: Any) -> dict[str, Any]:
        """Record a supply contract for up to 500 allocated cabinets, charged to one funder's
        commitment; refused whole if it would overspend it (the error says by how much)."""
        cabinets = self.app.procure(**load(s.Procure(), payload))
        return {"contract_ref": payload["contract_ref"],
                "cabinets": [s.CabinetView().dump(c) for c in cabinets]}

    @command
    def deliver(self, **payload: Any) -> dict[str, Any]:
        """CabinetDelivered: date, items, and the receiving staff member's opaque id."""
        return s.CabinetView().dump(self.app.deliver(**load(s.Deliver(), payload)))

    @command
    def commission(self, **payload: Any) -> dict[str, Any]:
        """CabinetCommissioned: acceptance date and the internet speed measured, in Mbps."""
        return s.CabinetView().dump(self.app.commission(**load(s.Commission(), payload)))

    @command
    def report_fault(self, **payload: Any) -> dict[str, Any]:
        return s.CabinetView().dump(self.app.report_fault(**load(s.ReportFault(), payload)))

    @command
    def resolve_fault(self, **payload: Any) -> dict[str, Any]:
        return s.CabinetView().dump(self.app.resolve_fault(**load(s.ResolveFault(), payload)))

    # ------------------------------------------------------------ queries
    @command
    def get_cabinet(self, **payload: Any) -> dict[str, Any]:
        return s.CabinetView().dump(self.app.cabinet(load(s.CabinetQuery(), payload)["cabinet_id"]))

    @command
    def get_commitment(self, **payload: Any) -> dict[str, Any]:
        """What procurement charged to a commitment and what remains, in KZT."""
        query = load(s.CommitmentQuery(), payload)
        return s.LedgerView().dump(self.app.ledger(query["commitment_id"]))

    @command
    def list_cabinets(self, **payload: Any) -> dict[str, Any]:
        return self.tally.list_cabinets(**load(s.ListCabinets(), payload))

    @command
    def summary(self, **payload: Any) -> dict[str, Any]:
        """Cabinets by kind and status, schools equipped, money procured and remaining per
        commitment, faults, internet speeds, for one programme."""
        return self.tally.summary(load(s.ProgrammeQuery(), payload)["programme_id"])
