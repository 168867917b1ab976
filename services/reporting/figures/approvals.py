"""Approved periods: the programme's implementing partner approves its figures as they stood
at a moment (who, when, up to when, with a note). The approved figures are kept as they were
computed then, from the model as of that moment, so they never move; the live report shows
them beside today's preliminary ones, with every figure that changed since and the events
recorded after the approval's moment that changed it.

Approvals live outside the read model, like the tokens, so a rebuild keeps them.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from services.reporting.figures import behind, reports

TABLE = "reporting_approvals"
# (approval_id, programme_id, funder_id, token_id, up_to, approved_at, note, figures), made
# by the migration steps (services/reporting/migrations.py).
SHOWN_EVENTS = 20  # per changed figure; the events endpoint pages through the rest
MONEY = ("committed_kzt", "disbursed_kzt", "spent_kzt", "remaining_kzt")


def snapshot(cur: Any, programme_id: str, schema: str) -> dict[str, Any]:
    """The figures an approval fixes: every targeted indicator and the money totals."""
    money = reports.money(cur, programme_id, schema)
    return {**{i["indicator"]: _plain(i["actual"])
               for i in reports.indicators(cur, programme_id, schema)},
            **{name: money[name] for name in MONEY}}


def record(cur: Any, programme_id: str, funder_id: str, token_id: str, up_to: datetime,
           note: str | None, figures: dict[str, Any]) -> dict[str, Any]:
    approval_id = f"apr_{uuid.uuid4().hex[:12]}"
    cur.execute(f"INSERT INTO {TABLE} (approval_id, programme_id, funder_id, token_id, up_to,"
                " note, figures) VALUES (%s,%s,%s,%s,%s,%s,%s) RETURNING approved_at",
                (approval_id, programme_id, funder_id, token_id, up_to, note,
                 json.dumps(figures)))
    return {"approval_id": approval_id, "programme_id": programme_id, "approved_by": funder_id,
            "approved_at": cur.fetchone()[0], "up_to": up_to, "note": note,
            "figures": figures}


def latest(cur: Any, programme_id: str) -> dict[str, Any] | None:
    cur.execute(f"SELECT approval_id, funder_id, approved_at, up_to, note, figures FROM {TABLE}"
                " WHERE programme_id = %s ORDER BY approved_at DESC, approval_id LIMIT 1",
                (programme_id,))
    row = cur.fetchone()
    if row is None:
        return None
    approval_id, funder_id, approved_at, up_to, note, figures = row
    return {"approval_id": approval_id, "programme_id": programme_id, "approved_by": funder_id,
            "approved_at": approved_at, "up_to": up_to, "note": note, "figures": figures}


def beside(cur: Any, programme_id: str, schema: str,
           report: dict[str, Any]) -> dict[str, Any] | None:
    """The last approval with what changed since: each figure whose preliminary value
    differs from the approved one, and the events recorded after the approval's moment."""
    approval = latest(cur, programme_id)
    if approval is None:
        return None
    now = {**{i["indicator"]: _plain(i["actual"]) for i in report["indicators"]},
           **{name: report["money"][name] for name in MONEY}}
    changes = []
    for figure in sorted(set(now) | set(approval["figures"])):
        approved, preliminary = approval["figures"].get(figure), now.get(figure)
        if approved == preliminary:
            continue
        # Every figure an approval fixes has its events (the indicators' and the money's:
        # tests/reporting/test_figure_events.py); one retired since shows its values alone.
        since = (behind.page(cur, schema, programme_id, figure, None, SHOWN_EVENTS,
                             recorded_after=approval["up_to"])
                 if figure in behind.figures() else {"count": 0, "events": []})
        changes.append({"figure": figure, "approved": approved, "preliminary": preliminary,
                        "events_since": since["count"], "events": since["events"]})
    return {**approval, "changes": changes}


def _plain(value: Any) -> Any:
    """A figure as JSON keeps it: a percentage as its text (70.0), a count as it is."""
    return value if value is None or isinstance(value, int) else str(value)
