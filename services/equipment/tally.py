"""A fold of the equipment log: cabinets per programme, for lists and the summary query."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.equipment.domain import Cabinet, CommitmentLedger, Site
from shared.application import ServiceApplication
from shared.fold import LogFold


@dataclass
class CabinetRow:
    cabinet_id: UUID
    organisation_id: str
    kind: str
    district_code: str | None
    status: str = "allocated"
    cost_kzt: int = 0
    commitment_id: str | None = None
    internet_mbps: Decimal | None = None
    open_faults: int = 0
    faults: int = 0


class EquipmentTally(LogFold):
    def __init__(self, app: ServiceApplication, page: int = 1000) -> None:
        super().__init__(app, page)
        self.cabinets: dict[str, dict[UUID, CabinetRow]] = {}
        self.sites: dict[str, set[str]] = {}  # programme -> organisations
        self.commitments: dict[str, dict[str, int]] = {}  # programme -> id -> amount
        self.site_names: dict[UUID, str] = {}  # Site aggregate id -> organisation id
        self.spent: dict[str, dict[str, int]] = {}  # programme -> commitment -> expenditures

    def apply(self, e: Any) -> None:  # noqa: C901 - one branch per event type reads best
        if isinstance(e, Site.JoinRecorded):
            self.sites.setdefault(e.programme_id, set()).add(self.site_names[e.originator_id])
        elif isinstance(e, Site.Opened):
            self.site_names[e.originator_id] = e.organisation_id
        elif isinstance(e, CommitmentLedger.Opened):
            self.commitments.setdefault(e.programme_id, {})[e.commitment_id] = e.amount_kzt
        elif isinstance(e, CommitmentLedger.ExpenditureRecorded):
            by_commitment = self.spent.setdefault(e.programme_id, {})
            by_commitment[e.commitment_id] = by_commitment.get(e.commitment_id, 0) + \
                e.amount_kzt
        elif isinstance(e, Cabinet.Allocated):
            self.cabinets.setdefault(e.programme_id, {})[e.originator_id] = CabinetRow(
                e.originator_id, e.organisation_id, e.kind, e.district_code)
        elif isinstance(e, Cabinet.Event) and hasattr(e, "keys"):
            self._apply_cabinet(self.cabinets[e.keys["programme_id"]][e.originator_id], e)

    @staticmethod
    def _apply_cabinet(row: CabinetRow, e: Any) -> None:
        if isinstance(e, Cabinet.AllocationCancelled):
            row.status = "cancelled"
        elif isinstance(e, Cabinet.Reallocated):
            row.status = "allocated"
        elif isinstance(e, Cabinet.Procured):
            row.status, row.cost_kzt = "procured", e.purchase["cost_kzt"]
            row.commitment_id = e.purchase["commitment_id"]
        elif isinstance(e, Cabinet.Delivered):
            row.status = "delivered"
        elif isinstance(e, Cabinet.Commissioned):
            row.status, row.internet_mbps = "commissioned", e.internet_mbps
        elif isinstance(e, Cabinet.FaultReported):
            row.open_faults += 1
            row.faults += 1
        elif isinstance(e, Cabinet.FaultResolved):
            row.open_faults -= 1

    # ------------------------------------------------------------ queries
    def organisations(self, programme_id: str) -> list[str]:
        return self.read(lambda: sorted(self.sites.get(programme_id, ())))

    def list_cabinets(self, programme_id: str, organisation_id: str | None,
                      status: str | None, after: UUID | None, limit: int) -> dict[str, Any]:
        def query() -> dict[str, Any]:
            rows = sorted(self.cabinets.get(programme_id, {}).values(),
                          key=lambda r: (r.organisation_id, r.kind))
            rows = [r for r in rows if (organisation_id is None or r.organisation_id ==
                                        organisation_id) and (status is None or r.status == status)]
            if after is not None:
                ids = [r.cabinet_id for r in rows]
                rows = rows[ids.index(after) + 1:] if after in ids else []
            page = rows[:limit]
            return {"items": [{"cabinet_id": str(r.cabinet_id), "organisation_id":
                               r.organisation_id, "kind": r.kind,
                               "district_code": r.district_code, "status": r.status}
                              for r in page],
                    "next_after": str(page[-1].cabinet_id) if len(rows) > limit else None}
        return self.read(query)

    def summary(self, programme_id: str) -> dict[str, Any]:
        return self.read(lambda: self._summary(programme_id))

    def _summary(self, programme_id: str) -> dict[str, Any]:
        rows = [r for r in self.cabinets.get(programme_id, {}).values()
                if r.status != "cancelled"]
        statuses = Counter(r.status for r in rows)
        reached = {"procured": ("procured", "delivered", "commissioned"),
                   "delivered": ("delivered", "commissioned"), "commissioned": ("commissioned",)}
        by_school: dict[str, list[CabinetRow]] = {}
        for row in rows:
            by_school.setdefault(row.organisation_id, []).append(row)
        speeds = sorted(r.internet_mbps for r in rows if r.internet_mbps is not None)
        spent = self.spent.get(programme_id, {})
        procured_by_commitment: Counter[str] = Counter()
        for row in rows:
            if row.commitment_id:
                procured_by_commitment[row.commitment_id] += row.cost_kzt
        committed = self.commitments.get(programme_id, {})
        return {
            "programme_id": programme_id, "as_of_notification_id": self.position,
            "cabinets_allocated": len(rows),
            "cabinets_by_kind": dict(sorted(Counter(r.kind for r in rows).items())),
            "cabinets_by_status": dict(sorted(statuses.items())),
            **{f"cabinets_{stage}": sum(statuses[s] for s in states)
               for stage, states in reached.items()},
            "schools_allocated": len(by_school),
            "schools_by_cabinet_count": dict(sorted(Counter(
                len(v) for v in by_school.values()).items())),
            "schools_equipped": sum(all(r.status == "commissioned" for r in v)
                                    for v in by_school.values()),
            "procured_kzt": sum(r.cost_kzt for r in rows),
            "procured_by_commitment": dict(sorted(procured_by_commitment.items())),
            "expenditure_by_commitment": dict(sorted(spent.items())),
            "remaining_by_commitment": {c: amount - procured_by_commitment[c]
                                        - spent.get(c, 0)
                                        for c, amount in sorted(committed.items())},
            "faults_reported": sum(r.faults for r in rows),
            "faults_open": sum(r.open_faults for r in rows),
            "internet_mbps_median": str(speeds[len(speeds) // 2]) if speeds else None,
            "cabinets_below_10_mbps": sum(s < 10 for s in speeds),
        }
