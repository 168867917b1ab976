"""Every RPC command and query the services answer, found in their code: each service
class's methods whose nameko entrypoint is a `Command` (shared/commands.py). The broker's
permissions are made from it (shared/access/broker.py), by `make up`, the k8s definitions
and `baqylau access grant` alike, so it lives in an installed package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import services
from shared.commands import Command


def service_classes() -> dict[str, type]:
    """{service name: class} for every services/<name>/service.py."""
    found = {}
    for info in pkgutil.iter_modules(services.__path__):
        try:
            module = importlib.import_module(f"services.{info.name}.service")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (inspect.isclass(value) and value.__module__ == module.__name__
                    and isinstance(getattr(value, "name", None), str)):
                found[value.name] = value
    return dict(sorted(found.items()))


def is_command(method: object) -> bool:
    return any(isinstance(e, Command) for e in getattr(method, "nameko_entrypoints", ()))


def entrypoints() -> list[tuple[str, str]]:
    """(service, method) of every RPC command and query, sorted."""
    return sorted((service, name) for service, cls in service_classes().items()
                  for name in dir(cls) if is_command(getattr(cls, name)))
