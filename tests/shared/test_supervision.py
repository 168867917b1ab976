"""A service's background loop outlives whatever it meets."""

from __future__ import annotations

from shared.supervision import keep_running


def test_a_loop_that_raises_is_started_again_until_told_to_stop():
    runs: list[int] = []

    def run() -> None:
        runs.append(1)
        if len(runs) < 3:
            raise OSError("the broker went away")

    keep_running("test loop", run, stopping=lambda: len(runs) >= 3, initial_backoff=0.01)
    assert len(runs) == 3


def test_a_loop_that_returns_while_not_stopping_is_started_again():
    runs: list[int] = []
    keep_running("test loop", lambda: runs.append(1), stopping=lambda: len(runs) >= 2,
                 initial_backoff=0.01)
    assert len(runs) == 2


def test_nothing_runs_once_stopping():
    runs: list[int] = []
    keep_running("test loop", lambda: runs.append(1), stopping=lambda: True)
    assert runs == []
