"""The public record stored with each event at save time (the outbox column, shared/outbox.py):
the contract data of the event, as the code builds it, already validated.

    {"type": "ParticipantEnrolled", "version": 1, "time": "<the event's timestamp>",
     "data": {<the contract schema's dump>}}

or INTERNAL_RECORD for an event with no public contract. It is JSON text, not jsonb:
jsonb reorders keys, and the envelope served from it must be the very one the decoded
event gives, down to the order of `data`'s fields.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

INTERNAL_RECORD = '{"internal":true}'


class ContractRefused(ValueError):
    """An event its public contract refuses: its save fails, and nothing is stored. The
    command built an event that consumers could not read; the fix is in the code (the
    command's validation, the aggregate or the translator), never in the consumers."""

    def __init__(self, event_class: type, contract: Any, messages: Any) -> None:
        super().__init__(f"{event_class.__qualname__} does not meet its public contract "
                         f"{contract.contract_type} v{contract.contract_version}: "
                         f"{messages}; nothing was stored")
        self.messages = messages


def record_text(contract: Any, time: datetime, data: dict[str, Any],
                by: dict[str, str] | None = None) -> str:
    """`by`: the envelope's provenance attributes (recordedby...), if the event has them."""
    record = {"type": contract.contract_type, "version": contract.contract_version,
              "time": time.isoformat(), "data": data}
    if by:
        record["by"] = by
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def read_record(text: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(text)
    return record
