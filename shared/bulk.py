"""The reply every bulk command gives (scores, training rows): counts by outcome, counted
in `baqylau_import_rows_total`, and the rejected rows in row order. Only rejected rows are
listed: a 5,000-row reply would cost more than the work."""

from __future__ import annotations

from collections import Counter
from typing import Any

from shared.metrics import IMPORT_ROWS


def bulk_reply(service: str, kind: str, report: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(line["outcome"] for line in report)
    for outcome, n in counts.items():
        IMPORT_ROWS.labels(service, kind, outcome).inc(n)
    rejected = sorted((line for line in report if line["outcome"] == "rejected"),
                      key=lambda line: line["row"])
    return {"counts": dict(counts), "rejected": rejected}
