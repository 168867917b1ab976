"""Public event contracts: what crosses RabbitMQ.

Every message is a CloudEvents 1.0 envelope (structured JSON) whose `data` follows a
versioned marshmallow schema registered here. Internal aggregate events never cross the
broker as they are: each service maps them to a contract explicitly.
"""

# Every service's contracts register themselves on import. Importing them here means any
# consumer that parses envelopes knows every contract, not only its own service's.
from shared.contracts import (  # noqa: F401
    assessment_events,
    equipment_events,
    registry_events,
    training,
)
from shared.contracts.envelope import Envelope, EnvelopeSchema, parse_envelope
from shared.contracts.registry import REGISTRY, ContractRegistry, TooNew, UnknownContract

__all__ = [
    "REGISTRY",
    "ContractRegistry",
    "Envelope",
    "EnvelopeSchema",
    "TooNew",
    "UnknownContract",
    "parse_envelope",
]
