"""Public contracts: envelopes validate, ids are stable, old versions are upcast."""

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields

from services.training import domain, registry_facts
from services.training.contracts import CONTRACTS
from shared.contracts import REGISTRY, ContractRegistry, Envelope, TooNew, parse_envelope
from shared.contracts import envelope as envelope_module


def an_envelope(**data_overrides):
    data = {"practice_id": "0f3c9d52-2b57-4f0e-9a55-6d1f1d9b3c01", "programme_id": "kyz",
            "direction": "STEM", "school_id": "S-2", "adopted_on": "2024-03-01"}
    data.update(data_overrides)
    return Envelope(source="/baqylau/training", type="PracticeAdopted",
                    time=datetime(2024, 3, 1, 9, tzinfo=UTC), subject="x", schemaversion=1,
                    notificationid=42, subjectversion=2, data=data).to_message()


def test_a_published_envelope_parses_back():
    parsed = parse_envelope(an_envelope())
    assert (parsed.type, parsed.notificationid, parsed.service) == ("PracticeAdopted", 42,
                                                                     "training")


def test_the_event_id_is_the_same_when_republished():
    assert an_envelope()["id"] == an_envelope()["id"]
    other = Envelope(source="/baqylau/training", type="PracticeAdopted",
                     time=datetime.now(UTC), subject="x", schemaversion=1, notificationid=43,
                     subjectversion=1).id
    assert other != an_envelope()["id"]


def test_rejects_an_envelope_with_bad_data_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        parse_envelope(an_envelope(adopted_on="yesterday"))
    assert "adopted_on" in caught.value.messages


def test_a_version_newer_than_the_consumer_is_too_new_not_unreadable():
    # Too new is waited for (shared/reading.py), never set aside at once as unreadable.
    with pytest.raises(TooNew, match="newer than this consumer"):
        parse_envelope({**an_envelope(), "schemaversion": 7})


def test_rejects_a_forged_id():
    with pytest.raises(ValidationError, match="id"):
        parse_envelope({**an_envelope(), "id": "not-derived"})


def test_old_versions_are_upcast_to_the_latest():
    registry = ContractRegistry()

    @registry.contract("Thing", 1)
    class ThingV1(Schema):
        hours = fields.Integer(required=True)

    @registry.contract("Thing", 2)
    class ThingV2(Schema):
        hours = fields.Decimal(required=True, as_string=True)
        unit = fields.String(required=True)

    @registry.upcaster("Thing", 1)
    def add_unit(data):
        return {**data, "unit": "hour"}

    assert registry.upcast("Thing", 1, {"hours": 3}) == (2, {"hours": 3, "unit": "hour"})


def test_every_internal_training_event_is_in_the_contract_map():
    aggregates = [domain.Course, domain.Enrolment, domain.Trainer, domain.QualificationRecord,
                  domain.Practice, registry_facts.RegistryProgramme,
                  registry_facts.ProgrammeSchool, registry_facts.KnownSchool]
    # The concrete events each aggregate records (not its generic Event/Created bases).
    event_classes = {value for aggregate in aggregates for name, value in vars(aggregate).items()
                     if isinstance(value, type) and issubclass(value, aggregate.Event)
                     and name not in ("Event", "Created")}
    assert event_classes == set(CONTRACTS.entries)


def test_every_published_training_contract_is_registered():
    published = {entry.contract.contract_type for entry in CONTRACTS.entries.values() if entry}
    assert published <= set(REGISTRY.types())


@given(source=st.from_regex(r"/baqylau/[a-z_]{1,12}", fullmatch=True),
       notification_id=st.integers(min_value=1, max_value=2**62))
def test_an_events_id_is_the_uuid5_of_its_source_and_position(source, notification_id):
    expected = uuid.uuid5(envelope_module.ID_NAMESPACE, f"{source}#{notification_id}")
    assert envelope_module.event_id(source, notification_id) == str(expected)
