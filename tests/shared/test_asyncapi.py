"""The AsyncAPI document of the public events is generated from the contracts themselves."""

import json

from scripts import asyncapi
from shared.contracts import REGISTRY
from tests.conftest import ROOT


def test_the_committed_document_is_what_the_contracts_give():
    assert asyncapi.main(["--check"]) == 0, "run `make asyncapi`"


def test_every_published_contract_has_a_channel_and_its_exact_fields():
    document = json.loads((ROOT / "docs/asyncapi.json").read_text(encoding="utf-8"))
    assert document["asyncapi"] == "2.6.0"
    published = {type_ for _, type_, _, _ in asyncapi._published()}
    assert published == set(REGISTRY.types())
    schemas = document["components"]["schemas"]
    for service, type_, version, schema in asyncapi._published():
        channel = document["channels"][f"{service}.events/{type_}"]
        assert channel["bindings"]["amqp"]["exchange"]["name"] == f"{service}.events"
        message = document["components"]["messages"][f"{type_}V{version}"]
        data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
        properties = schemas[data_ref.rsplit("/", 1)[1]]["properties"]
        assert set(properties) == set(schema().fields), type_
