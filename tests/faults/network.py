"""The drill's side of the broken network: starts tests.faults.proxy with one route per server
(`amqp` to RabbitMQ, `pg` to PostgreSQL), tells it what to break, and gives the ports the
services must dial instead of the servers'. The drill's own client and checks dial the
servers directly: only the services' links break."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from nameko.testing.utils import find_free_port

from tests.conftest import AMQP_PORT, PG_PORT, ROOT

ROUTES = {"amqp": AMQP_PORT, "pg": PG_PORT}


class Network:
    def __init__(self, workdir: Path) -> None:
        self.ports = {name: find_free_port() for name in ROUTES}
        self.control = find_free_port()
        self.log = workdir / "proxy.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.proxy", "--control", str(self.control),
                 *(f"{name}={self.ports[name]}:127.0.0.1:{port}"
                   for name, port in ROUTES.items())],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while "proxy ready" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the proxy did not start in 20 s: {self.log.read_text()}")
            time.sleep(0.1)

    def amqp_uri(self, uri: str) -> str:
        """`uri` (a vhost on the broker) as the services dial it: through the proxy."""
        parts = urlsplit(uri)
        netloc = parts.netloc.replace(f":{parts.port}", f":{self.ports['amqp']}")
        return urlunsplit(parts._replace(netloc=netloc))

    def command(self, line: str) -> int:
        """Send one command; returns how many connections it affected."""
        if self.process.poll() is not None:
            raise RuntimeError(f"the proxy exited ({self.process.returncode}): {self.log}")
        with socket.create_connection(("127.0.0.1", self.control), timeout=10) as conn:
            conn.sendall(f"{line}\n".encode())
            answer = conn.makefile().readline().strip()
        if not answer.startswith("ok"):
            raise RuntimeError(f"the proxy refused {line!r}: {answer}")
        return int(answer.split()[1])

    def everywhere(self, verb: str, *args: object) -> int:
        return sum(self.command(" ".join(map(str, (verb, name, *args)))) for name in ROUTES)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
