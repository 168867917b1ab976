"""All five services (or some) as real `nameko run` processes, each on its own throwaway
database and one throwaway RabbitMQ vhost, that a test can SIGKILL and restart, and whose AMQP
connections it can cut. With `replicas=2` every service runs as two processes on one store,
as the manifests deploy them: they compete for its RPC and event queues and for its relay's
lock. A process (an "instance": `registry`, `registry-2`, ...) that exits without being told
to is found by `check_alive`, which names it with the tail of its log. The servers under them
are tests.faults.servers'."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import psycopg2
import requests
import yaml
from nameko.testing.utils import find_free_port

from shared.positions import TABLE as RELAY_POSITIONS
from tests.conftest import ROOT
from tests.faults import servers
from tests.faults.network import Network

SERVICES = {"registry": "RegistryService", "equipment": "EquipmentService",
            "assessment": "AssessmentService", "training": "TrainingService",
            "reporting": "ReportingService"}
PSEUDONYM_KEY = "faults-suite-pseudonym-key-7f3a9c1e"  # distinctive: the leak scan looks for it


class ServiceDied(AssertionError):
    """A service process exited that nobody stopped: the drill fails at once, with its log."""


class Platform:
    def __init__(self, workdir: Path, amqp_uri: str, new_database: Callable[[], dict],
                 services: tuple[str, ...] = tuple(SERVICES), replicas: int = 1,
                 network: Network | None = None,
                 principals: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.amqp_uri = amqp_uri  # as the drill dials it; the services may go by `network`
        self.network = network
        # {service: its own broker user's URI on the vhost}: each service then calls the
        # others, and is known to them, as itself (tests/principals.py makes the users).
        self.principals = principals or {}
        self.configs: dict[str, dict[str, Any]] = {}  # by instance
        self.stores: dict[str, dict[str, Any]] = {}   # by service
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopped: set[str] = set()  # killed on purpose, not yet restarted
        for name in services:
            self.stores[name] = new_database()
            for instance in instances(name, replicas):
                self.configs[instance] = self._config(name, self.stores[name])

    def _config(self, name: str, store: dict[str, Any]) -> dict[str, Any]:
        if self.network is not None:  # the services reach both servers through the proxy
            store = {**store, "port": self.network.ports["pg"]}
        own = self.principals.get(name, self.amqp_uri)
        config: dict[str, Any] = {
            "AMQP_URI": self.network.amqp_uri(own) if self.network is not None else own,
            "max_workers": 10,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
            "LOGGING": {"version": 1, "handlers": {"console": {
                "class": "logging.StreamHandler"}}, "root": {"level": "INFO",
                                                          "handlers": ["console"]}}}
        if self.principals:
            config["ACCESS"] = {"operators": "guest", "services": ",".join(
                urlsplit(uri).username for uri in self.principals.values())}
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

    def replicas(self, service: str) -> list[str]:
        return [instance for instance in self.configs if service_of(instance) == service]

    # ------------------------------------------------------------ service processes
    def launch(self, name: str) -> None:
        """Start instance `name` without waiting for it to be ready."""
        path = self.workdir / f"{name}.yaml"
        path.write_text(yaml.safe_dump(self.configs[name]))
        service = service_of(name)
        with self.log_path(name).open("ab") as log:  # appended across restarts
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(path),
                 f"services.{service}.service:{SERVICES[service]}"],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.stopped.discard(name)

    def start(self, name: str) -> None:
        self.launch(name)
        self.wait_ready(name)

    def start_all(self) -> None:
        # Each service's first instance first: it creates the store's tables alone.
        for group in (list(self.stores), [i for i in self.configs if i not in self.stores]):
            for name in group:
                self.launch(name)
            for name in group:
                self.wait_ready(name)

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

    # ------------------------------------------------------------ the relay's lock
    def relay_holder(self, service: str, timeout: float = 30,
                     among: list[str] | None = None) -> str | None:
        """The instance of `service` (of `among`) whose relay holds the lock (its /metrics
        says so); with `timeout` 0, None at once if none does, else it fails after it."""
        deadline = time.monotonic() + timeout
        while True:
            for name in among or self.replicas(service):
                try:
                    text = requests.get(f"{self.web(name)}/metrics", timeout=2).text
                except requests.RequestException:
                    continue
                if re.search(rf'baqylau_relay_leader{{service="{service}"}} 1', text):
                    return name
            if timeout == 0:
                return None
            if time.monotonic() > deadline:
                raise RuntimeError(f"no instance of {service} held its relay's lock within "
                                   f"{timeout:.0f} s: {among or self.replicas(service)}")
            time.sleep(0.2)

    def relay_position(self, service: str) -> int:
        """How far `service`'s relay has published, as stored in its database."""
        return self._scalar(service, f"SELECT position FROM {RELAY_POSITIONS}"
                                     " WHERE relay_name = %s", (service,))

    def log_head(self, service: str) -> int:
        """The newest notification id in `service`'s event store."""
        return self._scalar(service, f"SELECT max(notification_id) FROM {service}_events", ())

    def _scalar(self, service: str, query: str, params: tuple[Any, ...]) -> int:
        store = self.stores[service]
        with psycopg2.connect(host=store["host"], port=store["port"], dbname=store["dbname"],
                              user=store["user"], password=store["password"],
                              connect_timeout=5) as conn, conn.cursor() as cur:
            cur.execute(query, params)
            row = cur.fetchone()
        conn.close()
        return int(row[0]) if row and row[0] is not None else 0

    # ------------------------------------------------------------ connections
    def local_ports(self, name: str) -> set[int]:
        """The local TCP ports of `name`'s connections to RabbitMQ (from `ss`)."""
        pid = self.processes[name].pid
        broker = urlsplit(self.configs[name]["AMQP_URI"]).port or 5672
        listing = subprocess.run(["ss", "-tnpH", "state", "established", "dport",
                                  f"= :{broker}"],
                                 capture_output=True, text=True, timeout=10, check=True).stdout
        return {int(m.group(1)) for line in listing.splitlines() if f"pid={pid}," in line
                for m in [re.search(rf"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:{broker}", line)]
                if m}

    def cut_connections(self, name: str) -> int:
        """Destroy every TCP socket of `name` to RabbitMQ (`ss -K`), whatever it is doing at
        that instant, as a reset from the network would; returns how many were cut."""
        ports = self.local_ports(name)
        broker = urlsplit(self.configs[name]["AMQP_URI"]).port or 5672
        for port in ports:
            subprocess.run(["ss", "-K", "-tnH", "dport", f"= :{broker}", "sport", f"= :{port}"],
                           capture_output=True, timeout=10, check=True)
        # `ss -K` silently does nothing without kernel support: count only what is gone.
        return len(ports - self.local_ports(name))

    # ------------------------------------------------------------ servers
    @staticmethod
    def restart_rabbitmq(pause: float = 3) -> None:
        servers.restart_rabbitmq(pause)

    @staticmethod
    def restart_postgresql(pause: float = 3) -> None:
        servers.restart_postgresql(pause)

    def all_ready(self, timeout: float = 120) -> None:
        for name in self.configs:
            self.wait_ready(name, timeout)


def instances(service: str, replicas: int) -> list[str]:
    """`registry`, `registry-2`, ...: the first keeps the service's name, so a platform of
    one replica each is addressed as before."""
    return [service] + [f"{service}-{n}" for n in range(2, replicas + 1)]


def service_of(instance: str) -> str:
    return instance.split("-")[0]
