"""A broken network of the tests' own: a TCP proxy between the services and each server that
can add latency, cut every connection mid-stream (a reset, as a failed link gives) and
black-hole them for a while (nothing passes either way and new connections hang; what was
sent is delivered when the hole closes, as TCP's retransmissions would deliver it).

It runs as its own process (`python -m tests.faults.proxy --control PORT NAME=LISTEN:TARGET
...`), so that forwarding every byte of ten services does not share the drill's interpreter,
and obeys one-line commands on its control port: `latency NAME SECONDS`, `cut NAME`,
`blackhole NAME SECONDS`, `clear NAME`; it answers `ok N` (N: connections affected)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import struct
import time
from dataclasses import dataclass, field

CHUNK = 65536


@dataclass
class Route:
    target: tuple[str, int]
    latency: float = 0.0
    open: asyncio.Event = field(default_factory=asyncio.Event)  # set: not black-holed
    links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.open.set()


def _reset(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER 0: the close sends RST, not FIN, so both ends see the link fail mid-stream.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _pump(route: Route, reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            if route.latency:  # each chunk keeps its order: the delay is the link's, not a
                await asyncio.sleep(route.latency)  # queue's
            await route.open.wait()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        _reset(writer)


async def _serve(route: Route, client_r: asyncio.StreamReader,
                 client_w: asyncio.StreamWriter) -> None:
    await route.open.wait()  # a black hole: the connection is accepted and hangs
    try:
        server_r, server_w = await asyncio.open_connection(*route.target)
    except OSError:  # the server is down: the client sees its connection fail
        _reset(client_w)
        return
    link = (client_w, server_w)
    route.links.add(link)
    try:
        await asyncio.gather(_pump(route, client_r, server_w), _pump(route, server_r, client_w))
    finally:
        route.links.discard(link)


async def _blackhole(route: Route, seconds: float) -> None:
    route.open.clear()
    await asyncio.sleep(seconds)
    route.open.set()


def _command(routes: dict[str, Route], line: str) -> str:
    verb, name, *rest = line.split()
    route = routes[name]
    if verb == "latency":
        route.latency = float(rest[0])
    elif verb == "blackhole":
        asyncio.get_running_loop().create_task(_blackhole(route, float(rest[0])))
    elif verb == "cut":
        links = list(route.links)
        for client_w, server_w in links:
            _reset(client_w)
            _reset(server_w)
        return f"ok {len(links)}"
    elif verb == "clear":
        route.latency = 0.0
        route.open.set()
    else:
        raise ValueError(f"unknown command {verb!r}")
    return f"ok {len(route.links)}"


async def _control(routes: dict[str, Route], reader: asyncio.StreamReader,
                   writer: asyncio.StreamWriter) -> None:
    while line := (await reader.readline()).decode().strip():
        try:
            answer = _command(routes, line)
        except (KeyError, ValueError, IndexError) as exc:
            answer = f"error {exc!r}"
        writer.write(f"{answer}\n".encode())
        await writer.drain()
    writer.close()


async def main(control: int, specs: list[str]) -> None:
    routes: dict[str, Route] = {}
    for spec in specs:  # NAME=LISTEN:HOST:PORT
        name, ports = spec.split("=")
        listen, host, port = ports.split(":")
        routes[name] = route = Route((host, int(port)))
        await asyncio.start_server(lambda r, w, route=route: _serve(route, r, w),
                                   "127.0.0.1", int(listen))
    await asyncio.start_server(lambda r, w: _control(routes, r, w), "127.0.0.1", control)
    print(f"proxy ready {time.time()}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("routes", nargs="+")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.control, arguments.routes))
