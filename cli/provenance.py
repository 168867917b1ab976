"""What an import says of its file with every call (shared/access/caller.py `source_of`):
its base name and digest, recorded on every event the import stores. The command line calls
through shared.calling's ClusterRpcProxy, which sends them as headers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from shared.access.caller import SOURCE_FILE_HEADER, SOURCE_SHA256_HEADER


def source_headers(path: Path) -> dict[str, str]:
    """The headers naming the file an import's rows come from: its base name and the hex
    SHA-256 of its bytes, recorded on every event the import stores."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {SOURCE_FILE_HEADER: path.name, SOURCE_SHA256_HEADER: digest}
