"""Profiles of the bench's phases, and what they say about a goal the run missed.

With BENCH_PROFILE=1, py-spy samples the given processes during a phase and writes raw
profiles to bench/results/profiles/<phase>-<process>.txt (read them whole with
`python -m bench.profile_summary`). Without it, `phase` does nothing, and a missed goal is
printed with its lever and the hint to profile it.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from bench.profile_summary import count

SAMPLES_PER_SECOND = 100


class Profiles:
    def __init__(self, enabled: bool, directory: Path) -> None:
        self.enabled = enabled
        self.directory = directory

    @contextlib.contextmanager
    def phase(self, name: str, pids: Mapping[str, int]) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob(f"{name}-*.txt"):
            old.unlink()  # only this run's processes speak for the phase
        spies = [subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
             "--format", "raw", "--rate", str(SAMPLES_PER_SECOND), "--nonblocking",
             "--output", str(self._path(name, process))],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for process, pid in pids.items()]
        try:
            yield
        finally:
            for spy in spies:
                spy.send_signal(signal.SIGINT)
            for spy in spies:
                spy.wait(timeout=60)

    def where_time_went(self, phase: str, processes: int = 2, top: int = 5) -> list[str]:
        """The busiest processes of the phase (py-spy samples only running threads), each
        with the functions holding most of its samples by self time."""
        if not self.enabled:
            return ["not profiled: run with BENCH_PROFILE=1 to see where its time goes"]
        counted = [(count(str(path)), path.stem.removeprefix(f"{phase}-"))
                   for path in sorted(self.directory.glob(f"{phase}-*.txt"))]
        lines = []
        busiest = sorted(counted, key=lambda c: c[0][0], reverse=True)[:processes]
        for (total, _, own), process in busiest:
            shares = ", ".join(f"{samples / total:.0%} {name}"
                               for name, samples in own.most_common(top))
            lines.append(f"{process} ({total / SAMPLES_PER_SECOND:.1f} s busy): {shares}")
        return lines or [f"no profile written for the phase {phase!r}"]

    def _path(self, phase: str, process: str) -> Path:
        return self.directory / f"{phase}-{process}.txt"
