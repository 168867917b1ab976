"""Load the four seed programmes' reference data into the registry, as a real client would:
funders and programmes by RPC, the KATO classifier's extract and organisations from files
through the bulk importers (each file's calls naming it); then the funders' disbursements,
which the demo sends as the finance system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli.importers import kato
from cli.importers.organisations import import_file
from scripts.calls import Importing, call_all, same_proxy
from scripts.seed_files import SEED_DIR, write_csv
from scripts.seed_registry import CSV_COLUMNS, FIRST_YEAR, SECOND_YEAR, generate

# The regions' and districts' names, as `baqylau import kato` loads any edition.
KATO_EXTRACT = Path(__file__).resolve().parent.parent / "data/kato/kato-seed-regions.csv"


def load(rpc: Any) -> None:
    """Everything through one proxy (the tests')."""
    load_reference(rpc)
    load_disbursements(rpc)


def load_reference(rpc: Any, importing: Importing | None = None) -> None:
    """The operators' part; `importing(path)`: a proxy whose calls name the file."""
    seed = generate()
    importing = importing or same_proxy(rpc)
    with importing(KATO_EXTRACT) as sending:
        places = kato.import_file(sending.registry, KATO_EXTRACT)
    print(f"  {KATO_EXTRACT.name}: " + ", ".join(f"{n} {o}" for o, n in
                                                 sorted(places.counts.items())))
    if places.rejected:
        raise SystemExit(f"classifier rows rejected: {places.rejected[:3]}")
    registry = rpc.registry
    call_all("funders", seed.funders, lambda f: registry.register_funder.call_async(**f))
    call_all("programmes", seed.programmes,
             lambda p: registry.launch_programme.call_async(**p))
    # One programme aggregate takes these in turn: one call at a time avoids retried races.
    for label, items, command in (("funding commitments", seed.commitments, "commit_funding"),
                                  ("funders' roles", seed.roles, "assign_funder_role"),
                                  ("targets", seed.targets, "set_target")):
        call_all(label, items, lambda item, c=command: getattr(registry, c).call_async(**item))
    for year in (FIRST_YEAR, SECOND_YEAR):
        path = write_csv(seed.rows[year], CSV_COLUMNS, SEED_DIR / f"organisations-{year}.csv")
        with importing(path) as sending:
            report = import_file(sending.registry, path, year)
        print(f"  {path}: " + ", ".join(f"{n} {o}" for o, n in sorted(report.counts.items())))
        if report.rejected:
            raise SystemExit(f"seed rows rejected: {report.rejected[:3]}")
    call_all("organisations joined", seed.joins,
             lambda j: registry.join_programme.call_async(**j))


def load_disbursements(rpc: Any) -> None:
    """What the funders paid out under their commitments (the finance system's, in the
    demo)."""
    registry = rpc.registry
    call_all("disbursements", generate().disbursements,
             lambda d: registry.record_disbursement.call_async(**d))


def print_summaries(rpc: Any) -> None:
    print("\nSeed programmes — read back from the registry service")
    print(f"{'programme':<30}{'year':>10}{'orgs':>6}  {'by kind':<48}{'pupils':>8}"
          f"{'budget KZT':>15}{'committed KZT':>15}")
    rows = [("baquatty-audan", None), ("aktobe-small-schools", FIRST_YEAR),
            ("aktobe-small-schools", SECOND_YEAR), ("uralsk-accelerator", None),
            ("kyzylorda-partner-directors", None)]
    for programme_id, year in rows:
        s = rpc.registry.programme_summary(programme_id=programme_id, school_year=year)
        kinds = ", ".join(f"{k} {n}" for k, n in s["by_kind"].items())
        print(f"{programme_id:<30}{s['school_year']:>10}{s['organisations']:>6}  {kinds:<48}"
              f"{s['pupils']:>8,}{s['budget_kzt'] or 0:>15,}{s['committed_kzt']:>15,}")
        if programme_id == "aktobe-small-schools":
            sizes = ", ".join(f"{k.replace('_', ' ')}: {n}"
                              for k, n in s["schools_by_size"].items())
            print(f"{'':<30}{'':>10}{'':>6}  schools {sizes}; "
                  f"equipment {s['committed_by_scope'].get('equipment', 0):,} KZT")
