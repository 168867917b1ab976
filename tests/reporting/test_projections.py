"""The projections cover every public contract: a new event type is either applied to the
read model or named as changing no figure, never dropped without anyone deciding so."""

from services.reporting.ingest import projections
from shared.contracts import REGISTRY


def test_every_published_contract_is_projected_or_named_as_changing_no_figure():
    handled = {*projections.PROJECTIONS, *projections.SET_PROJECTIONS}
    assert not handled & projections.IGNORED
    assert set(REGISTRY.types()) == handled | projections.IGNORED


def test_a_type_is_projected_one_way_only():
    assert not set(projections.PROJECTIONS) & set(projections.SET_PROJECTIONS)
