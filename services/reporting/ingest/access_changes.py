"""The registry's grants to calling systems (AccessGranted, AccessRevoked), kept as the
history they are: each one a row of `access_changes`, with the operator who made it. They
change no figure; the dashboard's audit view lists them beside who recorded the figures'
events, so that a funder sees which systems could record for the programme, and since when.

A row is the event itself (keyed by it), so a repeat is a no-op and any order is the same.
"""

from __future__ import annotations

from services.reporting.ingest.tables import Cursor, q
from shared.contracts.envelope import Envelope

INSERT = ("INSERT INTO {s}.access_changes (by_src, by_nid, recorded_at, principal, granted,"
          " role, programmes, changed_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
          " ON CONFLICT DO NOTHING")


def granted(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(q(INSERT, s), (e.service, e.notificationid, e.time, d["principal"], True,
                               d["role"], d["programmes"], d["granted_by"]))


def revoked(cur: Cursor, s: str, e: Envelope) -> None:
    d = e.data
    cur.execute(q(INSERT, s), (e.service, e.notificationid, e.time, d["principal"], False,
                               None, None, d["revoked_by"]))
