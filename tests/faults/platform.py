"""All five services as real `nameko run` processes, each on its own throwaway database and
one throwaway RabbitMQ vhost, that a test can SIGKILL and restart, and the servers under
them (scripts/stack.sh) that it can stop and start."""

from __future__ import annotations

import os
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


class Platform:
    def __init__(self, workdir: Path, amqp_uri: str, new_database: Callable[[], dict]) -> None:
        self.workdir = workdir
        self.amqp_uri = amqp_uri
        self.configs: dict[str, dict[str, Any]] = {}
        self.processes: dict[str, subprocess.Popen] = {}
        for name in SERVICES:
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

    # ------------------------------------------------------------ service processes
    def start(self, name: str) -> None:
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(self.configs[name]))
        with self.log_path(name).open("ab") as log:  # appended across restarts
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(path),
                 f"services.{name}.service:{SERVICES[name]}"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.wait_ready(name)

    def start_all(self) -> None:
        for name in SERVICES:
            self.start(name)

    def wait_ready(self, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log_path(name)}")
            try:
                if requests.get(f"{self.web(name)}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{name} not ready after {timeout} s; see {self.log_path(name)}")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

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
        for name in SERVICES:
            self.wait_ready(name, timeout)
