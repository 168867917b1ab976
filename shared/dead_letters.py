"""Every consumer's dead letters over RPC: `list_dead_letters` and `replay_dead_letters`,
the same two commands on equipment, assessment and reporting (`baqylau dead-letters`)."""

from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from shared.commands import command
from shared.poison import DeadLetterQuery, Poison
from shared.validation import load


class DeadLetters(DependencyProvider):
    """The service's Poison (its dead-letter queue, attempts, pause) from its config.
    `default_origin`: where a dead letter older than the origin header goes back to."""

    def __init__(self, default_origin: str | None = None) -> None:
        self.default_origin = default_origin
        self.poison: Poison | None = None

    def setup(self) -> None:
        self.poison = Poison.from_config(self.container.config, self.container.service_name)

    def get_dependency(self, worker_ctx: Any) -> DeadLetters:
        return self


class DeadLetterRpc:
    """Mixed into a consumer's service class."""

    dead_letters = DeadLetters()

    @command
    def list_dead_letters(self, **payload: Any) -> dict[str, Any]:
        """What waits in this service's dead-letter queue, without taking it: {"waiting": 2,
        "letters": [{"id", "type", "source", "queue", "failure", "reason"}]} (the first
        `limit`)."""
        limit = load(DeadLetterQuery(), payload)["limit"]
        return self.dead_letters.poison.peek(limit)  # type: ignore[no-any-return]

    @command
    def replay_dead_letters(self, **payload: Any) -> dict[str, int]:
        """After fixing what failed them, send dead letters back to the queues they came
        from (attempts reset; an event already applied stays a no-op). Reply: {"replayed": 3}"""
        limit = load(DeadLetterQuery(), payload)["limit"]
        provider = self.dead_letters
        return {"replayed": provider.poison.replay(limit, provider.default_origin)}
