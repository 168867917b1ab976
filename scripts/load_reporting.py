"""The end of `make demo`: every seed funder's report, fetched over HTTP with its own token."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from scripts.seed_files import SEED_DIR
from scripts.seed_registry import FUNDERS

REPORTS = "http://127.0.0.1:8005"
TOKENS = SEED_DIR / "funder-tokens.json"  # demo only: real tokens go to their funders


# The Uralsk akimat implements the accelerator: it approves the figures recorded so far.
APPROVER = ("uralsk-accelerator", "akimat-west-kazakhstan")


def approve(approver: tuple[str, str], token: str) -> None:
    programme, funder = approver
    moment = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    answer = requests.post(f"{REPORTS}/v1/programmes/{programme}/approvals", timeout=60,
                           json={"up_to": moment, "note": "demo: checked by the akimat"},
                           headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    approval = _get(f"/v1/programmes/{programme}/report", token).json()["approval"]
    print(f"\nApproved: {programme}'s figures up to {moment[:19]} UTC by {funder} "
          f"({approval['approval_id']}); figures changed since: {len(approval['changes'])}")


def token_for(rpc: Any, funder_id: str, known: dict[str, str]) -> str:
    token = known.get(funder_id)
    if token and _get("/v1/programmes", token).status_code == 200:
        return token
    known[funder_id] = rpc.reporting.issue_token(funder_id=funder_id)["token"]
    return known[funder_id]


def _get(path: str, token: str) -> requests.Response:
    return requests.get(f"{REPORTS}{path}", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def _headline(indicator: dict[str, Any]) -> str:
    """teachers trained 910/910, or for a share: teachers with category share 70.0 % of 75 %
    (420/600)."""
    name = indicator["indicator"].replace("_", " ")
    if indicator["measure"] == "percentage":
        return (f"{name} {indicator['actual']} % of {indicator['target']} % "
                f"({indicator['numerator']}/{indicator['denominator']})")
    return f"{name} {indicator['actual']}/{indicator['target']}"


def print_reports(rpc: Any) -> None:
    applied = rpc.reporting.catch_up()  # the live feed is usually there already
    print(f"\nFunders' reports over HTTP (reporting caught up: {applied})")
    known = json.loads(TOKENS.read_text()) if TOKENS.exists() else {}
    for funder in FUNDERS:
        token = token_for(rpc, funder["funder_id"], known)
        for programme_id in _get("/v1/programmes", token).json()["programmes"]:
            report = _get(f"/v1/programmes/{programme_id}/report", token).json()
            headline = ", ".join(_headline(i) for i in report["indicators"])
            money = report["money"]
            spending = ", ".join(f"{k.replace('_', ' ')} {v:,}"
                                 for k, v in money["spent_by_category"].items())
            print(f"  {funder['funder_id']:<26} {programme_id:<28} committed "
                  f"{money['committed_kzt']:>14,} KZT, disbursed {money['disbursed_kzt']:>14,},"
                  f" spent {money['spent_kzt']:>14,} "
                  f"(procured {money['procured_kzt']:,}), remaining "
                  f"{money['remaining_kzt']:,}\n  {'':<26} {headline}"
                  + (f"\n  {'':<26} spending: {spending}" if spending else ""))
    Path(TOKENS).write_text(json.dumps(known, indent=1))
    approve(APPROVER, token_for(rpc, APPROVER[1], known))
    check = rpc.reporting.reconcile()
    print(f"\nReconciliation: {check['events_read']:,} events re-read from the services' logs, "
          f"{len(check['programmes'])} programmes, {len(check['differences'])} differences "
          f"with the read model {check['differences'] or ''}")
    print(f"\nThe demo's tokens are in {TOKENS}; the full report of a programme, e.g.:\n"
          f"  curl -H 'Authorization: Bearer <token>' "
          f"{REPORTS}/v1/programmes/aktobe-small-schools/report   (add ?format=csv for CSV)\n"
          f"The dashboard, in a browser (log in with qazaqstan-halqyna's token):\n"
          f"  {REPORTS}/v1/login?programme_id=aktobe-small-schools")
