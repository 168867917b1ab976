"""Who recorded a programme's figures: the calling systems whose commands stored the events
behind each figure (the envelope's `recordedby`, kept in `processed`), how many events each,
from how many imported files; and the registry's grants that let systems record for it.

Both are queries over the read model, so a past moment's model answers for that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from services.reporting.figures import behind
from services.reporting.ingest.tables import q
from shared.access.roles import ALL_PROGRAMMES


class Recorder(TypedDict):
    recorded_by: str | None  # None: the events name no one (see tables.TABLES["processed"])
    events: int
    files: int


class AccessChange(TypedDict):
    at: datetime
    principal: str
    granted: bool
    role: str | None
    covers: str | None  # "all", "this" or "other" programmes; None for a revocation
    changed_by: str


@dataclass(frozen=True)
class Provenance:
    """What the audit view shows of who recorded: see `of_programme`."""

    recorders: dict[str, list[Recorder]] = field(default_factory=dict)
    access: list[AccessChange] = field(default_factory=list)


def of_programme(cur: Any, schema: str, programme_id: str, figures: list[str]) -> Provenance:
    """Who recorded each of `figures`' events, and the grants for the programme."""
    return Provenance(recorders(cur, schema, programme_id, figures),
                      access_changes(cur, schema, programme_id))


def recorders(cur: Any, schema: str, programme_id: str,
              figures: list[str]) -> dict[str, list[Recorder]]:
    """figure -> who recorded its events, most events first. The events are counted as
    the figure's events endpoint lists them (behind.page), so that together they are its
    `count`: a unit counted is one line, though a score sheet's event holds many pupils."""
    out: dict[str, list[Recorder]] = {}
    for figure in figures:
        cur.execute(q("SELECT e.recorded_by, count(*), count(DISTINCT e.source_sha256)"
                      " FROM (" + behind.query(figure) + ") x"
                      " LEFT JOIN {s}.processed e ON e.source = x.src"
                      " AND e.notification_id = x.nid GROUP BY 1 ORDER BY 2 DESC, 1",
                      schema), {"p": programme_id})
        out[figure] = [Recorder(recorded_by=by, events=int(n), files=int(files))
                       for by, n, files in cur.fetchall()]
    return out


def access_changes(cur: Any, schema: str, programme_id: str) -> list[AccessChange]:
    """Every grant and revocation, in the order recorded, of each system that was ever
    granted this programme (by name or as every programme). Another programme's name is
    not shown: a grant elsewhere only reads as "other programmes"."""
    cur.execute(q("SELECT recorded_at, principal, granted, role, programmes, changed_by"
                  " FROM {s}.access_changes WHERE principal IN (SELECT principal"
                  " FROM {s}.access_changes WHERE programmes && ARRAY[%(p)s, %(all)s])"
                  " ORDER BY recorded_at, by_src, by_nid", schema),
                {"p": programme_id, "all": ALL_PROGRAMMES})
    return [AccessChange(at=at, principal=principal, granted=granted, role=role,
                         covers=_covers(programmes, programme_id) if granted else None,
                         changed_by=changed_by)
            for at, principal, granted, role, programmes, changed_by in cur.fetchall()]


def _covers(programmes: list[str], programme_id: str) -> str:
    if ALL_PROGRAMMES in programmes:
        return "all"
    return "this" if programme_id in programmes else "other"
