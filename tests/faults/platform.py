"""All five services (or some) as real `nameko run` processes, each on its own throwaway
database and one throwaway RabbitMQ vhost, that a test can SIGKILL and restart, whose AMQP
connections it can cut, and the servers under them (scripts/stack.sh) that it can stop and
start. A process that exits without being told to is found by `check_alive`, which names it
with the tail of its log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests
import yaml
from nameko.testing.utils import find_free_port

from tests.conftest import ROOT

SERVICES = {"registry": "RegistryService", "equipment": "EquipmentService",
            "assessment": "AssessmentService", "training": "TrainingService",
            "reporting": "ReportingService"}
PSEUDONYM_KEY = "faults-suite-pseudonym-key-7f3a9c1e"  # distinctive: the leak scan looks for it


class ServiceDied(AssertionError):
    """A service process exited that nobody stopped: the drill fails at once, with its log."""


class Platform:
    def __init__(self, workdir: Path, amqp_uri: str, new_database: Callable[[], dict],
                 services: tuple[str, ...] = tuple(SERVICES)) -> None:
        self.workdir = workdir
        self.amqp_uri = amqp_uri
        self.configs: dict[str, dict[str, Any]] = {}
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopped: set[str] = set()  # killed on purpose, not yet restarted
        for name in services:
            self.configs[name] = self._config(name, new_database())

    def _config(self, name: str, store: dict[str, Any]) -> dict[str, Any]:
        config: dict[str, Any] = {
            "AMQP_URI": self.amqp_uri, "max_workers": 10,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
            "LOGGING": {"version": 1, "handlers": {"console": {
                "class": "logging.StreamHandler"}}, "root": {"level": "INFO",
                                                          "handlers": ["console"]}}}
        if name == "reporting":
            config["READ_MODEL"] = {k: store[k] for k in ("host", "port", "dbname", "user",
                                                          "password")}
            config["READ_MODEL"]["catch_up_interval"] = 5
        else:
            config["EVENT_STORE"] = store
            config["RELAY"] = {"poll_interval": 0.2, "batch_size": 500}
        if name == "assessment":
            config["PSEUDONYM_KEY"] = PSEUDONYM_KEY
        return config

    def web(self, name: str) -> str:
        return f"http://{self.configs[name]['WEB_SERVER_ADDRESS']}"

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 25) -> str:
        text = self.log_path(name).read_text(errors="replace") if self.log_path(name).exists() \
            else ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self, during: str) -> None:
        """Raise ServiceDied naming the first service that exited unasked, with its log."""
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None and name not in self.stopped:
                raise ServiceDied(f"{name} exited (code {code}) during {during}; the end of "
                                  f"{self.log_path(name)}:\n{self.log_tail(name)}")

    # ------------------------------------------------------------ service processes
    def start(self, name: str) -> None:
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(self.configs[name]))
        with self.log_path(name).open("ab") as log:  # appended across restarts
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(path),
                 f"services.{name}.service:{SERVICES[name]}"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.stopped.discard(name)
        self.wait_ready(name)

    def start_all(self) -> None:
        for name in self.configs:
            self.start(name)

    def wait_ready(self, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive(f"waiting for {name} to be ready")
            try:
                if requests.get(f"{self.web(name)}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready after {timeout} s; see {self.log_path(name)}")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        self.stopped.add(name)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        self.stopped.update(self.processes)
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    # ------------------------------------------------------------ connections
    def local_ports(self, name: str) -> set[int]:
        """The local TCP ports of `name`'s connections to RabbitMQ (from `ss`)."""
        pid = self.processes[name].pid
        listing = subprocess.run(["ss", "-tnpH", "state", "established", "dport", "= :5672"],
                                 capture_output=True, text=True, timeout=10, check=True).stdout
        return {int(m.group(1)) for line in listing.splitlines() if f"pid={pid}," in line
                for m in [re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:5672", line)] if m}

    def cut_connections(self, name: str) -> int:
        """Destroy every TCP socket of `name` to RabbitMQ (`ss -K`), whatever it is doing at
        that instant, as a reset from the network would; returns how many were cut."""
        ports = self.local_ports(name)
        for port in ports:
            subprocess.run(["ss", "-K", "-tnH", "dport", "= :5672", "sport", f"= :{port}"],
                           capture_output=True, timeout=10, check=True)
        # `ss -K` silently does nothing without kernel support: count only what is gone.
        return len(ports - self.local_ports(name))

    # ------------------------------------------------------------ servers
    @staticmethod
    def stack(action: str) -> None:
        subprocess.run(["bash", str(ROOT / "scripts/stack.sh"), action], check=True,
                       stdout=subprocess.DEVNULL, timeout=180)

    def restart_rabbitmq(self, pause: float = 3) -> None:
        self.stack("rabbit-down")
        time.sleep(pause)
        self.stack("rabbit-up")

    def restart_postgresql(self, pause: float = 3) -> None:
        self.stack("pg-down")
        time.sleep(pause)
        self.stack("pg-up")

    def all_ready(self, timeout: float = 120) -> None:
        for name in self.configs:
            self.wait_ready(name, timeout)
