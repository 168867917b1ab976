"""The RPC proxy the command line calls through: shared.calling's (it binds its reply queue
without declaring the exchange, and every request carries the connection's `user_id`), and
able to send headers as they are with every request.

nameko's `context_data` goes out as `nameko.`-prefixed headers; an import names its file in
`x-baqylau-source-file` and `x-baqylau-source-sha256` (shared/access/caller.py `source_of`).
nameko's own `RpcProxy(service, headers=...)` passes such headers to its publisher, but its
standalone cluster proxy takes no options: `_HeaderedClusterProxy` passes them on. This is
the one place the command line reaches into nameko's standalone proxy (`_proxy`,
`_worker_ctx`, `_reply_listener`); tests/cli/test_access.py fails if an upgrade moves them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Mapping

from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterProxy

from shared import calling

SOURCE_FILE = "x-baqylau-source-file"
SOURCE_SHA256 = "x-baqylau-source-sha256"


def source_headers(path: Path) -> dict[str, str]:
    """The headers naming the file an import's rows come from: its base name and the hex
    SHA-256 of its bytes, recorded on every event the import stores."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {SOURCE_FILE: path.name, SOURCE_SHA256: digest}


class _HeaderedClusterProxy(ClusterProxy):
    def __init__(self, worker_ctx: Any, reply_listener: Any, headers: dict[str, str]) -> None:
        super().__init__(worker_ctx, reply_listener)
        self._headers = headers

    def __getattr__(self, name: str) -> ServiceProxy:
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener,
                                               headers=self._headers)
        return self._proxies[name]


class ClusterRpcProxy(calling.ClusterRpcProxy):
    """`shared.calling.ClusterRpcProxy`; with `headers`, each request carries them too."""

    def __init__(self, config: dict[str, Any], timeout: float | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(config, timeout=timeout)
        if headers:
            self._proxy = _HeaderedClusterProxy(self._worker_ctx, self._reply_listener,
                                                dict(headers))
