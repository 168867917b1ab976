"""The projections: every service's public events applied to the read model's tables
(tables.py), each exactly once, in any order.

- Each event is applied in one transaction with its (source, notification id) record, so a
  redelivered event is a no-op.
- State that changes is guarded by the aggregate's version (`subjectversion`): an older event
  arriving late never overwrites a newer one. Facts that only ever grow (a cabinet delivered,
  a trainer certified) are inserts that ignore repeats.
- Every event carries the keys it needs (the services' contracts are designed so), so a
  completion arriving before its enrolment still lands in the right row.
- Every fact keeps the event that made it (facts.py): the events behind a figure are a query.
"""

from __future__ import annotations

from typing import Callable

import psycopg2.extensions
import psycopg2.extras

from services.reporting.ingest import access_changes, facts, kept
from services.reporting.ingest.tables import Cursor, bump, current, q
from shared.contracts.envelope import Envelope


def handle(conn: psycopg2.extensions.connection, envelope: Envelope,
           schema: str | None = None) -> bool:
    """Apply one event exactly once. False if it was already applied (nothing changes).
    Without `schema`, into the live read model (holding the pointer until commit)."""
    return bool(handle_batch(conn, [envelope], schema))


def handle_batch(conn: psycopg2.extensions.connection, envelopes: list[Envelope],
                 schema: str | None = None,
                 watermark: tuple[str, int] | None = None) -> list[Envelope]:
    """Apply a batch of events in one transaction, each exactly once; returns those that
    were new. One commit per batch instead of per event is what lets the read model keep up
    with a bulk import or a rebuild (the commit's WAL flush was the cost, not the SQL).
    The projections are order-safe, so a batch may hold events in any order, repeats too.
    With `watermark` (source, position), a catch-up's log position commits with its page."""
    with conn, conn.cursor() as cur:
        schema = schema or current(cur, lock=True)
        fresh = _first_time_seen(cur, schema, envelopes)
        _apply(cur, schema, fresh)
        if fresh:  # last, and in the same transaction: caches key on this (see cache.py)
            bump(cur, schema, programmes_changed(fresh))
        if watermark is not None:  # how far a source's log has been read, with what it gave
            cur.execute(q("INSERT INTO {s}.watermarks VALUES (%s, %s) ON CONFLICT (source)"
                          " DO UPDATE SET after = EXCLUDED.after", schema), watermark)
    return fresh


def programmes_changed(envelopes: list[Envelope]) -> set[str] | None:
    """The programmes whose figures these events change; None when some event may change
    any programme's: one with no `programme_id` (a school, a place, a funder, a grant), or
    one that counts in other programmes than its own (CROSS_PROGRAMME)."""
    programmes = set()
    for envelope in envelopes:
        programme = envelope.data.get("programme_id")
        if envelope.type in CROSS_PROGRAMME or not isinstance(programme, str):
            return None
        programmes.add(programme)
    return programmes


def _apply(cur: Cursor, schema: str, envelopes: list[Envelope]) -> None:
    """The high-volume types go in one statement per type (SET_PROJECTIONS); the others one
    by one. Grouping reorders the batch, which the projections allow (order-safe)."""
    by_type: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        by_type.setdefault(envelope.type, []).append(envelope)
    if not kept.WRITE_KEPT.isdisjoint(by_type):
        kept.lock_first(cur, schema)
    for event_type, group in by_type.items():
        if event_type in SET_PROJECTIONS:
            SET_PROJECTIONS[event_type](cur, schema, group)
        elif (apply := PROJECTIONS.get(event_type)) is not None:
            for envelope in group:
                apply(cur, schema, envelope)


def _first_time_seen(cur: Cursor, schema: str, envelopes: list[Envelope]) -> list[Envelope]:
    """Record the batch's events as processed, each with who recorded it (and from which
    file); the ones not recorded before, in batch order."""
    unique: dict[tuple[str, int], Envelope] = {}
    for envelope in envelopes:
        unique.setdefault((envelope.service, envelope.notificationid), envelope)
    if not unique:
        return []
    # Columns as arrays, unnested by the server: psycopg2 quotes a list in C, where
    # execute_values formats each row in Python (a fifth of a batch's time).
    events = list(unique.values())
    cur.execute(q("INSERT INTO {s}.processed (source, notification_id, event_type,"
                  " recorded_at, recorded_by, source_file, source_sha256) SELECT * FROM"
                  " unnest(%s::text[], %s::bigint[], %s::text[], %s::timestamptz[],"
                  " %s::text[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING"
                  " RETURNING source, notification_id", schema),
                ([e.service for e in events], [e.notificationid for e in events],
                 [e.type for e in events], [e.time for e in events],
                 [e.recordedby for e in events], [e.sourcefile for e in events],
                 [e.sourcesha256 for e in events]))
    inserted = cur.fetchall()
    new = {(source, notification_id) for source, notification_id in inserted}
    return [e for key, e in unique.items() if key in new]


PROJECTIONS: dict[str, facts.Fact] = {
    "ProgrammeLaunched": facts.programme,
    "FunderRegistered": facts.funder,
    "FunderRoleAssigned": facts.role,
    "TargetSet": facts.target,
    "FundingCommitted": facts.commitment,
    "ExpenditureRecorded": facts.expenditure,
    "FundsDisbursed": facts.disbursement,
    "OrganisationRegistered": facts.organisation,
    "OrganisationProfileUpdated": facts.organisation,
    "OrganisationJoinedProgramme": facts.joined,
    "PlaceNamed": facts.place,
    "TrainerCertified": facts.trainer,
    "TeacherCategoryAttested": facts.category,
    "PracticePublished": facts.practice,
    "PracticeAdopted": facts.adoption,
    "CabinetAllocated": facts.allocation(True),
    "CabinetAllocationCancelled": facts.allocation(False),
    "CabinetProcured": facts.cabinet_step(
        "procured", ("cost_kzt", "commitment_id", "funder_id", "procured_on"),
        ("cost_kzt", "commitment_id", "funder_id", "procured_on")),
    "CabinetDelivered": facts.cabinet_step("delivered", ("delivered_on",), ("delivered_on",),
                                           flag=True),
    "CabinetCommissioned": facts.cabinet_step(
        "commissioned", ("internet_mbps", "commissioned_on"), ("internet_mbps", "accepted_on"),
        flag=True),
    "FaultReported": facts.fault_step("reported", "reported_on", "description"),
    "FaultResolved": facts.fault_step("resolved", "resolved_on", "resolution"),
    "StrategyAdopted": facts.strategy,
    "ProjectLaunched": facts.project,
    "PartnershipSigned": facts.partnership,
    "AssessmentRoundOpened": facts.assessment_round,
    "ScoreCorrected": facts.correction,
    # Who may record: no figure, the audit view's history of grants.
    "AccessGranted": access_changes.granted,
    "AccessRevoked": access_changes.revoked,
}
# Events with a `programme_id` that change other programmes' figures too: a teacher holds a
# category in every programme they belong to, whichever programme attested it.
CROSS_PROGRAMME = {"TeacherCategoryAttested"}
# Events reporting reads but that change no figure (kept in `processed` all the same).
IGNORED = {"CourseScheduled", "TrainerAssigned", "AttendanceRecorded",
           "AssessmentRoundClosed"}

# Types that arrive by the hundred thousand, projected a batch at a time (same rules).
SET_PROJECTIONS: dict[str, Callable[[Cursor, str, list[Envelope]], None]] = {
    "ParticipantEnrolled": facts.enrolments(None),
    "TrainingCompleted": facts.enrolments("completed"),
    "TrainingDropped": facts.enrolments("dropped"),
    "ScoresRecorded": facts.scores,
}
