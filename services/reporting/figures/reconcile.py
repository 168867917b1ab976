"""Reconciliation: every indicator, every money line, every learning-outcome cell and every
drill-down line recomputed straight from the services' notification logs, by a plain fold
written independently of the read model's SQL, and compared with it.

The logs are read in each source's own order, so the fold can be naive (last event wins);
the read model had to get the same answer from any arrival order. Zero differences means no
event was lost or counted twice on the way.
"""

from __future__ import annotations

from typing import Any, Iterable

from services.reporting.figures import reports
from services.reporting.figures.catalogue import counted
from services.reporting.figures.fold import MONEY_COMPARED, Fold
from services.reporting.figures.outcomes import learning_outcomes
from services.reporting.figures.reconcile_outcomes import outcome_differences
from services.reporting.ingest import tables
from shared.contracts.envelope import Envelope


def _compare(programme_id: str, kind: str, expected: dict[str, Any],
             actual: dict[str, Any], only_expected: bool = False) -> list[dict[str, Any]]:
    names = set(expected) if only_expected else set(expected) | set(actual)
    return [{"programme_id": programme_id, "indicator": f"{kind}{name}",
             "from_logs": expected.get(name), "read_model": actual.get(name)}
            for name in sorted(names) if expected.get(name) != actual.get(name)]


def folded(envelopes: Iterable[Envelope]) -> Fold:
    """The logs folded as they stream by: the fold keeps the facts, never the events."""
    fold = Fold()
    for envelope in envelopes:
        fold.apply(envelope)
    return fold


def differences(envelopes: Iterable[Envelope], cur: Any, programmes: Iterable[str],
                schema: str = tables.SCHEMA) -> list[dict[str, Any]]:
    return compare(folded(envelopes), cur, programmes, schema)


def compare(fold: Fold, cur: Any, programmes: Iterable[str],
            schema: str = tables.SCHEMA) -> list[dict[str, Any]]:
    """[{programme_id, indicator, from_logs, read_model}] for every figure that disagrees:
    indicators by name, money as `money:…`, drill-down lines as `organisation:<id>:…`,
    learning outcomes as `outcome:<endline>:<grade>:<subject>:<split>:…`."""
    out = []
    for p in programmes:
        from_logs = {i.name: i.count(fold, p) for i in counted() if i.count is not None}
        out += _compare(p, "", from_logs, reports.figures(cur, p, schema))
        money = reports.money(cur, p, schema)
        out += _compare(p, "money:", fold.money(p), {
            **{k: money[k] for k in MONEY_COMPARED},
            **{f"{c['commitment_id']}:{k}": c[k] for c in money["commitments"]
               for k in MONEY_COMPARED}})
        lines = {o["organisation_id"]: o for o in reports.organisations(cur, p, schema)}
        for school, expected in fold.organisations(p).items():
            out += _compare(p, f"organisation:{school}:", expected, lines.pop(school, {}),
                            only_expected=True)
        out += [{"programme_id": p, "indicator": f"organisation:{school}", "from_logs": None,
                 "read_model": "a line"} for school in lines]
        out += outcome_differences(p, fold.outcomes.cells(p),
                                   learning_outcomes(cur, p, schema))
    return out
