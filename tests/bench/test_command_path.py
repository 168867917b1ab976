"""The bench's access-check rows compare like with like: switched off, training's enrol
differs from the real one by the check alone, and the rounds alternate so a drift falls on
both."""

import uuid
from types import SimpleNamespace

import pytest
from nameko.containers import ServiceContainer

from bench import command_path, table
from bench.command_path import SwitchedTraining, alternating
from services.training.service import TrainingService
from shared.commands import Command
from shared.errors import Forbidden
from tests.bench.test_missed_goals import figures_that_miss_every_goal


class Reached(Exception):
    """The command's own body was entered."""


class Training:
    """As much of a training worker as `enrol` touches before it stores anything."""

    name = "training"
    app = SimpleNamespace(enrol=None)
    checking = property(lambda self: SwitchedTraining.checking)  # as its worker reads it

    def _known(self, action, *args, **kwargs):
        raise Reached


ENROL = {"course_id": str(uuid.uuid4()), "participant_id": "T-1", "school_id": "S-1",
         "role": "teacher", "enrolled_on": "2024-09-02"}


def enrol_entrypoints(service_cls: type) -> list:
    container = ServiceContainer(service_cls, {"AMQP_URI": "memory://"})
    return [e for e in container.entrypoints if e.method_name == "enrol"]


def test_the_switched_training_answers_enrol_once_with_the_same_entrypoint():
    real, switched = enrol_entrypoints(TrainingService), enrol_entrypoints(SwitchedTraining)
    assert len(real) == len(switched) == 1
    assert type(real[0]) is type(switched[0]) is Command
    assert real[0].expected_exceptions == switched[0].expected_exceptions


@pytest.mark.parametrize("service_cls", [TrainingService, SwitchedTraining])
def test_the_real_enrol_and_the_switched_one_check_their_caller(service_cls):
    with pytest.raises(Forbidden, match="training.enrol"):  # no caller in this context
        service_cls.enrol(Training(), **ENROL)


def test_switched_off_enrol_runs_the_command_without_the_check(monkeypatch):
    monkeypatch.setattr(SwitchedTraining, "checking", False)
    with pytest.raises(Reached):
        SwitchedTraining.enrol(Training(), **ENROL)


def test_rounds_alternate_so_each_variant_sits_as_early_as_the_other():
    order = alternating(4)
    assert order == ["checked", "unchecked", "unchecked", "checked"] * 2
    positions = {v: sum(i for i, o in enumerate(order) if o == v) for v in set(order)}
    assert positions["checked"] == positions["unchecked"]


@pytest.mark.parametrize("unchecked, met", [(100.0, True), (104.0, True), (110.0, False)])
def test_the_access_goal_is_the_checked_rate_within_five_per_cent_of_the_unchecked(
        unchecked, met):
    broker, platform = figures_that_miss_every_goal()
    broker.update(enrol=99.0, enrol_unchecked=unchecked)
    (row,) = [row for row in table.table(broker, platform) if row["key"] == "access"]
    assert row["ratio"] == pytest.approx(99.0 / unchecked)
    assert row["met"] is met


def test_the_summary_gives_the_cost_in_per_cent_and_every_round_behind_it():
    broker = {"enrol": 98.0, "enrol_unchecked": 100.0,
              "enrol_rounds": {"calls_each": 500, "checked": [97.0, 98.0, 99.0],
                               "unchecked": [100.0, 101.0, 99.5]}}
    assert command_path.access_summary(broker) == (
        "the access check: enrol 98 calls/s with it, 100 without it, -2.0 % (medians of 3 "
        "alternating rounds of 500 calls; with: 97, 98, 99; without: 100, 101, 100)")
