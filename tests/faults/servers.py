"""The servers under a drill: this checkout's PostgreSQL and RabbitMQ (scripts/stack.sh, data
in .stack/), stopped and started gracefully, or SIGKILLed as a crash would leave them.

They are the servers on PG_PORT / AMQP_PORT (tests.conftest, the same variables stack.sh
takes), so a drill can run against a private stack while others use the shared one. Before
anything is killed, the pid read from .stack/ must listen on exactly those ports: a drill
never kills a server it does not own."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import AMQP_PORT, PG_PORT, ROOT

STACK = ROOT / ".stack"


def stack(action: str) -> None:
    """scripts/stack.sh `action`, on the ports in the environment (it reads them itself)."""
    subprocess.run(["bash", str(ROOT / "scripts/stack.sh"), action], check=True,
                   stdout=subprocess.DEVNULL, timeout=180)


def restart_rabbitmq(pause: float = 3) -> None:
    stack("rabbit-down")
    time.sleep(pause)
    stack("rabbit-up")


def restart_postgresql(pause: float = 3) -> None:
    stack("pg-down")
    time.sleep(pause)
    stack("pg-up")


def postmaster_pid() -> int:
    return _owned(_first_line(STACK / "pg/data/postmaster.pid"), PG_PORT, "PostgreSQL")


def beam_pid() -> int:
    return _owned(_first_line(STACK / "rabbitmq/rabbitmq.pid"), AMQP_PORT, "RabbitMQ")


def crash_postgresql(pause: float = 2) -> dict[str, float | int]:
    """SIGKILL the postmaster mid-load; its backends notice and exit (no clean shutdown, no
    checkpoint), then start it again: PostgreSQL replays its WAL (crash recovery)."""
    pid = postmaster_pid()
    children = _children(pid)
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    # A new postmaster refuses to start while an old backend still holds the shared memory.
    _wait_gone([pid, *children], 30, "PostgreSQL's backends to exit after the postmaster died")
    time.sleep(pause)
    stack("pg-up")
    recovered = _log_says(STACK / "pg/server.log", "database system was not properly shut down")
    return {"pid": pid, "backends": len(children), "crash_recovery": int(recovered),
            "down_seconds": round(time.monotonic() - killed, 1)}


def crash_rabbitmq(pause: float = 2) -> dict[str, float | int]:
    """SIGKILL the broker's Erlang VM mid-load (its queues are recovered from disk on start;
    what was in flight and unconfirmed is gone), then start it again."""
    pid = beam_pid()
    killed = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    _wait_gone([pid, *_children(pid)], 30, "RabbitMQ's node to exit after SIGKILL")
    time.sleep(pause)
    stack("rabbit-up")
    return {"pid": pid, "down_seconds": round(time.monotonic() - killed, 1)}


# ---------------------------------------------------------------- helpers
def _first_line(path: Path) -> int:
    if not path.exists():
        raise RuntimeError(f"{path} is missing: is this checkout's stack up (make up)?")
    return int(path.read_text().split()[0])


def _owned(pid: int, port: int, what: str) -> int:
    """`pid`, after checking that it listens on `port` (ours), else refuse."""
    listing = subprocess.run(["ss", "-tlnpH"], capture_output=True, text=True, timeout=10,
                             check=True).stdout
    ports = {int(m.group(1)) for line in listing.splitlines() if f"pid={pid}," in line
             for m in [re.search(r"127\.0\.0\.1:(\d+)\s", line)] if m}
    if port not in ports:
        raise RuntimeError(f"{what} pid {pid} (from {STACK}) listens on {sorted(ports)}, "
                           f"not on {port}: refusing to kill a server this drill does not own")
    return pid


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def _wait_gone(pids: list[int], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {seconds:.0f} s for {what}; still there: "
                               f"{[pid for pid in pids if _alive(pid)]}")
        time.sleep(0.1)


def _log_says(path: Path, text: str) -> bool:
    # Only the log's end: the last start is the one that matters.
    return path.exists() and text in path.read_text(errors="replace")[-20000:]
