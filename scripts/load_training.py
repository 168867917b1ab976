"""The Uralsk, Kyzylorda and Aktobe training seeds, through the imports a programme officer
would run: the academies' and the league's exports are written as their systems would
(CSV and XLSX, with a name column the imports never send), then imported, each file's calls
naming it (in the demo, all of it as the academy)."""

from __future__ import annotations

from typing import Any

from cli.importers import practices as import_practices
from cli.importers import training as import_training
from cli.importers.runner import read_table
from scripts.calls import Importing, call_all, same_proxy
from scripts.seed_academies import (
    ACADEMY_COLUMNS,
    AKTOBE,
    COURSES,
    KYZYLORDA,
    PRACTICE_COLUMNS,
    URALSK,
    generate,
)
from scripts.seed_files import SEED_DIR, write_csv, write_xlsx


def load(rpc: Any, importing: Importing | None = None) -> None:
    """`importing(path)`: the proxy an export is sent through, else `rpc`."""
    importing = importing or same_proxy(rpc)
    seed = generate()
    call_all("academy courses", COURSES, lambda c: rpc.training.schedule_course.call_async(**c))
    files = [(URALSK, write_csv(seed.exports[URALSK], ACADEMY_COLUMNS,
                                SEED_DIR / "uralsk-academy-export.csv")),
             (KYZYLORDA, write_csv(seed.exports[KYZYLORDA], ACADEMY_COLUMNS,
                                   SEED_DIR / "kyzylorda-league-sessions.csv")),
             (AKTOBE, write_xlsx(seed.exports[AKTOBE], ACADEMY_COLUMNS,
                                 SEED_DIR / "aktobe-teachers-courses.xlsx"))]
    for programme, path in files:
        cells, ignored = read_table(path, import_training.COLUMNS, import_training.OPTIONAL)
        with importing(path) as sending:
            report = import_training.import_rows(sending.training, programme, cells,
                                                 path.name[:22])
        print(f"  {path.name}: {report.summary()}; columns not sent: {', '.join(ignored)}")
    path = write_xlsx(seed.practices, PRACTICE_COLUMNS, SEED_DIR / "kyzylorda-practices.xlsx")
    cells, _ = read_table(path, import_practices.COLUMNS, import_practices.OPTIONAL)
    with importing(path) as sending:
        report = import_practices.import_rows(sending.training, KYZYLORDA, cells,
                                              path.name[:22])
    print(f"  {path.name}: {report.summary()}")
    call_all("Aktobe categories", seed.attestations,
             lambda a: rpc.training.attest_category.call_async(**a))
