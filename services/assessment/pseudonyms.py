"""Pupils' pseudonyms: a keyed hash of the external pupil id, never the id itself.

HMAC-SHA256 with a per-deployment secret: the same pupil gets the same reference in the
baseline and the endline round (so gains can be matched), and without the secret nobody can
test a guessed id against a reference, which a plain hash of a short id would allow.
"""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_BYTES = 16


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if len(key.encode()) < MIN_KEY_BYTES:
            raise ValueError(f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes")
        self._key = key.encode()

    def __repr__(self) -> str:  # never print the key
        return "Pseudonymiser(<key hidden>)"

    def reference(self, pupil_id: str) -> str:
        digest = hmac.new(self._key, pupil_id.encode(), hashlib.sha256).hexdigest()
        return f"p-{digest[:32]}"  # 128 bits: collisions are out of reach at national scale
