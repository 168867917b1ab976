"""A contract's new version: its upcaster, and which version is published and read where
(shared/contracts/versions.py, shared/reading.py; docs/contracts.md)."""

from datetime import UTC, date, datetime

import pytest

from services.registry.contracts import CONTRACTS as REGISTRY_MAP
from shared.contracts import REGISTRY, Envelope, TooNew, parse_envelope
from shared.contracts.registry_events import school_year_of
from shared.contracts.versions import ContractVersions
from shared.poison import Unreadable, read_envelope
from shared.reading import TooNewWait

JOINED = "OrganisationJoinedProgramme"


def joined(version=1, **data_overrides):
    data = {"organisation_id": "AKT-001", "kind": "school", "region_code": "15",
            "district_code": "1510", "programme_id": "aktobe", "model": "combined",
            "joined_on": "2024-08-31", **data_overrides}
    return Envelope(source="/baqylau/registry", type=JOINED, time=datetime.now(UTC),
                    subject="x", schemaversion=version, notificationid=7, subjectversion=1,
                    data=data).to_message()


@pytest.mark.parametrize(("day", "year"), [(date(2024, 8, 31), "2023-2024"),
                                           (date(2024, 9, 1), "2024-2025"),
                                           (date(2025, 1, 15), "2024-2025")])
def test_the_school_year_starts_on_the_first_of_september(day, year):
    assert school_year_of(day) == year


def test_a_v1_event_is_read_as_v2_with_the_school_year_its_date_gives():
    envelope = parse_envelope(joined(1))
    assert (envelope.schemaversion, envelope.data["school_year"]) == (2, "2023-2024")


def test_a_v2_event_keeps_the_school_year_it_came_with():
    envelope = parse_envelope(joined(2, joined_on="2024-09-02", school_year="2024-2025"))
    assert envelope.data["school_year"] == "2024-2025"


def test_a_v1_event_without_a_date_names_the_field_not_the_upcaster():
    body = joined(1)
    del body["data"]["joined_on"]
    with pytest.raises(Unreadable, match="joined_on"):
        read_envelope(body)


def test_a_consumer_limited_to_v1_reads_v1_as_v1_and_finds_v2_too_new():
    assert parse_envelope(joined(1), readable={JOINED: 1}).data.get("school_year") is None
    with pytest.raises(TooNew) as caught:
        read_envelope(joined(2, school_year="2023-2024"), {JOINED: 1})
    assert (caught.value.type, caught.value.version, caught.value.readable) == (JOINED, 2, 1)
    assert caught.value.event_id == joined(2)["id"]


def test_the_new_version_is_known_but_not_published_by_default():
    assert REGISTRY.latest_version(JOINED) == 2
    assert REGISTRY.default_publish_version(JOINED) == 1
    assert REGISTRY_MAP.publish[JOINED] == 1


def test_the_producer_publishes_the_configured_version():
    versions = ContractVersions.from_config({"CONTRACTS": {"publish": f"{JOINED}=2"}})
    assert REGISTRY_MAP.publishing(versions).publish[JOINED] == 2


def test_v1_is_published_from_v2_data_without_its_new_field():
    loaded = REGISTRY.instance(JOINED, 2).load(joined(2, school_year="2023-2024")["data"])
    data = REGISTRY.downcast(JOINED, loaded, 1)
    assert "school_year" not in data and data["joined_on"] == "2024-08-31"


def test_a_wrong_contracts_section_names_every_wrong_entry():
    with pytest.raises(ValueError) as caught:
        ContractVersions.from_config({"CONTRACTS": {"publish": f"{JOINED}=3,Nope=1"}})
    assert f"{JOINED} v3" in str(caught.value) and "Nope v1" in str(caught.value)
    with pytest.raises(ValueError, match="whole number"):
        ContractVersions.from_config({"CONTRACTS": {"readable": {JOINED: "two"}}})
    with pytest.raises(ValueError, match="too_new_pause"):
        ContractVersions.from_config({"CONTRACTS": {"too_new_pause": -1}})


def test_an_empty_publish_setting_is_the_default_as_the_config_file_gives_it():
    assert ContractVersions.from_config({"CONTRACTS": {"publish": None}}).publish == {}
    assert ContractVersions.from_config({"CONTRACTS": {"publish": ""}}).publish == {}


def test_a_producer_cannot_be_told_to_publish_past_what_its_code_builds():
    versions = ContractVersions(publish={"PracticeAdopted": 1, JOINED: 2})
    assert REGISTRY_MAP.publishing(versions).publish[JOINED] == 2
    from services.training.contracts import CONTRACTS as TRAINING_MAP
    with pytest.raises(ValueError, match="cannot publish"):
        TRAINING_MAP.publishing(ContractVersions(publish={"PracticeAdopted": 2}))


def test_an_event_too_new_is_put_back_at_once_then_after_a_pause_then_set_aside():
    now = [0.0]
    wait = TooNewWait(pause=1.0, deadline=60.0, clock=lambda: now[0])
    exc = TooNew(JOINED, 2, 1, "event-1")
    assert wait.decide(exc) == 0.0       # first sighting: another replica may take it
    now[0] = 5.0
    assert wait.decide(exc) == 1.0       # back again: this one waits, without spinning
    assert wait.decide(TooNew(JOINED, 2, 1, "event-2")) == 0.0
    now[0] = 60.0
    assert wait.decide(exc) is None      # no upgrade within the deadline: set aside
    assert wait.decide(exc) == 0.0       # a replay starts its clock again


class StandIn:
    """What LogReader._apply needs of its provider and service, and no broker."""

    def __init__(self, deadline):
        now = [0.0]
        self.clock = now
        self.too_new = TooNewWait(pause=1.0, deadline=deadline, clock=lambda: now[0])
        self.poison = type("Poison", (), {"max_attempts": 3})()
        self.set_aside = []

    def on_joined(self, message):
        raise TooNew(JOINED, 2, 1, message["id"])


def test_on_the_log_an_event_too_new_stops_the_round_until_its_deadline_then_is_set_aside():
    from shared.follow import LogReader

    stand_in = StandIn(deadline=60.0)
    reader = LogReader(stand_in, stand_in)
    reader._set_aside = lambda handler, message, reason, kind: stand_in.set_aside.append(kind)
    handler = type("Handler", (), {"method_name": "on_joined"})()
    message = joined(2)
    for now in (0.0, 30.0):  # each round stops before the watermark passes it
        stand_in.clock[0] = now
        with pytest.raises(TooNew):
            reader._apply(handler, message)
    assert stand_in.set_aside == []
    stand_in.clock[0] = 60.0
    reader._apply(handler, message)  # past the deadline: set aside, and the log goes on
    assert stand_in.set_aside == ["too_new"]
