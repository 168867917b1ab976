"""Run the Aktobe pilot's baseline and endline rounds through the assessment service: the
rounds by RPC (the operators'), the scores from e-journal CSV exports through the bulk
importer (in the demo, as the e-journal, each file's calls naming it)."""

from __future__ import annotations

from typing import Any

from cli.importers.scores import import_rows, read_rows
from scripts.calls import Importing, same_proxy
from scripts.seed_assessment import (
    BASELINE,
    CLOSING,
    COMPARISON,
    CSV_COLUMNS,
    ENDLINE,
    generate_scores,
)
from scripts.seed_files import SEED_DIR, write_csv


def load(rpc: Any, importing: Importing | None = None) -> None:
    """`importing(path)`: the proxy a scores file is sent through, else `rpc`."""
    importing = importing or same_proxy(rpc)
    assessment = rpc.assessment
    caught_up = assessment.catch_up_registry()
    print(f"  assessment read {caught_up['read']} registry events")
    seed = generate_scores()
    for details, rows in ((BASELINE, seed.baseline), (ENDLINE, seed.endline)):
        assessment.open_round(**details)
        path = write_csv(rows, CSV_COLUMNS, SEED_DIR / f"scores-{details['round_id']}.csv")
        with importing(path) as sending:
            report = import_rows(sending.assessment, details["round_id"], read_rows(path)[0],
                                 label=path.name[:22])
        print(f"  {path}: {report.summary()}")
        if report.rejected:
            raise SystemExit(f"seed scores rejected: {report.rejected[:3]}")
        assessment.close_round(round_id=details["round_id"],
                               closed_on=CLOSING[details["round_id"]])


def print_summary(rpc: Any) -> None:
    # The rounds' own summary covers every school they assessed, the comparison group too;
    # the pilot alone, per model and against the comparison, is in the funders' report.
    print("\nAktobe rounds, pilot and comparison schools together — read back from the "
          "assessment service (mean score out of 40; share at or above 20)")
    summaries = [rpc.assessment.round_summary(round_id=r["round_id"])
                 for r in (BASELINE, ENDLINE)]
    print(f"{'grade':>6} {'subject':<18}{'baseline':>10}{'endline':>10}{'share b':>9}"
          f"{'share e':>9}")
    for before, after in zip(*(s["by_grade_and_subject"] for s in summaries), strict=True):
        print(f"{before['grade']:>6} {before['subject']:<18}{before['mean']:>10}"
              f"{after['mean']:>10}{before['share_at_or_above_threshold']:>9}"
              f"{after['share_at_or_above_threshold']:>9}")
    print(f"scores: baseline {summaries[0]['scores']:,}, endline {summaries[1]['scores']:,}; "
          f"schools {summaries[0]['schools']} ({len(COMPARISON)} of them the comparison group"
          " outside the pilot)")
