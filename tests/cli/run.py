"""The real command, as an operator runs it: a subprocess (`python -m cli`, the console
script's module), from the checkout, with the environment given, and a deadline."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def baqylau(*args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The error the command printed: exactly one line, and no traceback."""
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("baqylau:")]
    assert len(lines) == 1, result.stderr
    return lines[0]
