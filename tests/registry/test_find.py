"""Look-ups by the natural keys other systems hold: an organisation by its code or its BIN,
over the real RabbitMQ and PostgreSQL."""

import pytest

from scripts.seed_registry import FIRST_YEAR
from shared.errors import InvalidInput, NotFound
from tests.registry.test_service import GOOD, config, registry  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration


def test_finds_an_organisation_by_its_code_or_its_bin(registry):  # noqa: F811
    registry.register_organisation(**{**GOOD, "pupils": 60, "teachers": 11,
                                      "small_class": True, "network_role": None,
                                      "school_year": FIRST_YEAR})
    by_code = registry.find_organisation(code="AKT-001")
    by_bin = registry.find_organisation(bin=GOOD["bin"])
    assert by_code == by_bin and by_code["organisation_id"] == "AKT-001"


def test_an_unknown_code_or_bin_is_not_found_naming_the_key(registry):  # noqa: F811
    with pytest.raises(NotFound) as caught:
        registry.find_organisation(code="NO-SUCH-SCHOOL")
    assert list(caught.value.errors) == ["code"]
    with pytest.raises(NotFound) as caught:
        registry.find_organisation(bin="940140000385")
    assert list(caught.value.errors) == ["bin"]


def test_asks_for_exactly_one_well_formed_key(registry):  # noqa: F811
    with pytest.raises(InvalidInput) as caught:
        registry.find_organisation(code="AKT-001", bin="940140000385")
    assert list(caught.value.errors) == ["code"]
    with pytest.raises(InvalidInput) as caught:
        registry.find_organisation(bin="940140000384")  # a mistyped check digit
    assert list(caught.value.errors) == ["bin"]
