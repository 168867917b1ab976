"""One line from a pip-audit JSON report (scripts/image_claims.sh): how many of the image's
Python packages were audited, and every known vulnerability with its fix. Exit 0: audited,
none found; 2: vulnerabilities found; 1: nothing could be audited (the vulnerability
service unreachable, or every package unknown to it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def summary(report: dict, log: str) -> tuple[int, str]:
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    found = [(d["name"], d["version"], v) for d in audited for v in d.get("vulns", [])]
    if found:
        lines = "; ".join(f"{name} {version}: {v['id']} (fixed in "
                          f"{', '.join(v.get('fix_versions') or ['no release'])})"
                          for name, version, v in found)
        return 2, f"{len(found)} known vulnerabilities in {len(audited)} packages: {lines}"
    if not audited:
        reasons = {d["skip_reason"].split(":")[0] for d in deps} or {log.strip()[-300:]}
        return 1, f"nothing audited of {len(deps)} packages ({'; '.join(sorted(reasons))})"
    skipped = ", ".join(d["name"] for d in deps if "skip_reason" in d) or "none"
    return 0, f"{len(audited)} packages audited, no known vulnerabilities (skipped: {skipped})"


def main(argv: list[str]) -> int:
    report_path, log_path = Path(argv[0]), Path(argv[1])
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError):
        last = log.strip().splitlines()[-1:] or ["no report written"]
        print(f"no report ({last[0][:300]})")
        return 1
    code, line = summary(report, log)
    print(line)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
