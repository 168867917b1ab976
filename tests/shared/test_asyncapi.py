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
        data = schemas[data_ref.rsplit("/", 1)[1]]
        assert set(data["properties"]) == set(schema().fields), type_
        # marshmallow dumps every field: each is always present, null where allowed.
        assert set(data["required"]) == set(schema().fields), type_


def test_decimals_are_documented_as_the_strings_they_travel_as():
    document = json.loads((ROOT / "docs/asyncapi.json").read_text(encoding="utf-8"))
    hours = document["components"]["schemas"]["TrainingCompletedV1"]["properties"][
        "attended_hours"]
    assert hours["type"] == "string" and hours["pattern"]
    assert "nullable" not in json.dumps(document)  # OpenAPI's word, not JSON Schema's


def test_the_server_names_the_deployments_host_not_a_fixed_one():
    server = json.loads((ROOT / "docs/asyncapi.json").read_text(encoding="utf-8"))[
        "servers"]["broker"]
    assert server["url"] == "{host}:{port}"
    assert server["variables"]["host"]["default"] == "127.0.0.1"
