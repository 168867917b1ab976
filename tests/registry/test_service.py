"""The registry service in a nameko container, over the real RabbitMQ and PostgreSQL."""

from types import SimpleNamespace

import pytest
import requests
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from cli.importers.organisations import import_file
from scripts import load_registry
from scripts.seed_registry import CSV_COLUMNS, FIRST_YEAR, SECOND_YEAR
from services.registry.service import RegistryService
from shared.errors import DomainRuleViolated, InvalidInput, NotFound
from tests.conftest import config_for

pytestmark = pytest.mark.integration

GOOD = dict(organisation_id="AKT-001", bin="940140000385", kind="school", name_kk="№1 мектеп",
            name_ru="Школа №1", name_en="School No. 1", kato="153220100", locality="rural",
            small_class="yes", pupils="60", teachers="11", network_role="")


class CommitmentListener:
    """Another system subscribing to the registry's public events the nameko way."""

    name = "registry_listener"
    received: list = []

    @event_handler("registry", "FundingCommitted")
    def on_committed(self, envelope):
        self.received.append(envelope)


@pytest.fixture
def config(rabbit_config, pg_database):
    return config_for(rabbit_config, pg_database)


@pytest.fixture
def registry(container_factory, config):
    container_factory(RegistryService, config).start()
    with ServiceRpcProxy("registry", config) as proxy:
        yield proxy


def stored(registry):
    return registry.notifications(after=0, limit=1)["last_notification_id"]


def write_csv(path, rows, columns=CSV_COLUMNS):
    lines = [",".join(columns)] + [",".join(str(r.get(c, "")) for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rejects_bad_input_naming_each_field_and_stores_nothing(registry):
    with pytest.raises(InvalidInput) as caught:
        registry.register_organisation(**{**GOOD, "pupils": 60, "teachers": 11,
                                          "small_class": True, "network_role": None,
                                          "bin": "940140000386", "school_year": "2023"})
    assert set(caught.value.errors) == {"bin", "school_year"}
    assert "bin" in str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        registry.commit_funding(programme_id="p", funder_id="f", commitment_id="c",
                                scope="equipment", amount_kzt=1.5, committed_on="2023-01-01")
    assert set(caught.value.errors) == {"amount_kzt"}
    assert stored(registry) == 0


def test_unknown_ids_are_not_found_errors(registry):
    with pytest.raises(NotFound, match="programme nowhere not found"):
        registry.programme_summary(programme_id="nowhere")
    with pytest.raises(NotFound):
        registry.get_organisation(organisation_id="AKT-404")


def test_csv_import_reports_bad_rows_and_keeps_good_ones(registry, tmp_path):
    rows = [
        GOOD,
        {**GOOD, "organisation_id": "AKT-002", "bin": "940140000386"},            # check digit
        {**GOOD, "organisation_id": "AKT-003", "bin": "990140004654", "kato": "159951200"},
        {**GOOD, "organisation_id": "AKT-004", "bin": "010140000004", "pupils": "many"},
        {**GOOD, "organisation_id": "AKT-005"},                                   # BIN reused
        {**GOOD, "organisation_id": "AKT-006", "bin": "010140000004", "kind": "preschool"},
        {**GOOD, "organisation_id": "AKT-007", "bin": "990140004654"},
    ]
    path = write_csv(tmp_path / "aktobe.csv", rows)
    report = import_file(registry, path, FIRST_YEAR)
    assert report.counts == {"registered": 2, "rejected": 5}
    assert {(row, name) for row, name, _ in report.problems()} == {
        (3, "bin"), (4, "kato"), (5, "pupils"), (6, "bin"), (7, "small_class")}
    assert any("Already registered to AKT-001" in reason for _, _, reason in report.problems())
    events = stored(registry)
    listed = registry.list_organisations(region_code="15")["items"]
    assert [o["organisation_id"] for o in listed] == ["AKT-001", "AKT-007"]

    again = import_file(registry, path, FIRST_YEAR)
    assert again.counts == {"unchanged": 2, "rejected": 5}
    assert stored(registry) == events  # importing the same file twice stores nothing


def test_an_import_row_whose_id_is_not_text_is_refused_naming_it_and_the_rest_saved(registry):
    rows = [{**GOOD, "row": 2, "organisation_id": ["AKT-001"]},
            {**GOOD, "row": 3, "organisation_id": {"id": "AKT-001"}}, {**GOOD, "row": 4}]
    reply = registry.import_organisations(school_year=FIRST_YEAR, rows=rows)
    assert reply["counts"] == {"rejected": 2, "registered": 1}
    assert [(line["row"], line["outcome"]) for line in reply["rows"]] == [
        (2, "rejected"), (3, "rejected"), (4, "registered")]
    assert all("organisation_id" in line["errors"] for line in reply["rows"][:2])


def test_keeps_the_history_of_profiles_across_school_years(registry, tmp_path):
    import_file(registry, write_csv(tmp_path / "y1.csv", [GOOD]), FIRST_YEAR)
    report = import_file(registry, write_csv(tmp_path / "y2.csv", [{**GOOD, "pupils": "84"}]),
                         SECOND_YEAR)
    assert report.counts == {"updated": 1}
    organisation = registry.get_organisation(organisation_id="AKT-001")
    assert [(p["school_year"], p["pupils"]) for p in organisation["history"]] == [
        (FIRST_YEAR, 60), (SECOND_YEAR, 84)]
    assert organisation["profile"]["pupils"] == 84
    assert (organisation["region"], organisation["district"]) == ("Aktobe Region",
                                                                  "Alga district")


def test_refuses_a_commitment_beyond_the_budget_saying_by_how_much(registry, container_factory,
                                                                   config):
    listener = container_factory(CommitmentListener, config)
    listener.start()
    registry.register_funder(funder_id="qh", name_kk="«Қазақстан халқына»",
                             name_ru="Фонд «Қазақстан халқына»", organisation_type="60")
    registry.launch_programme(programme_id="aktobe", name_kk="Пилот", name_ru="Пилот",
                              regions=["15"], start="2023-01-01", end="2024-12-31",
                              models=["digital_solutions"], budget_kzt=4_063_255_771)
    commitment = dict(programme_id="aktobe", funder_id="qh", commitment_id="QH-EQ",
                      scope="equipment", amount_kzt=2_064_199_025, committed_on="2023-02-01")
    with entrypoint_waiter(listener, "on_committed", timeout=10):
        programme = registry.commit_funding(**commitment)
    assert programme["committed_kzt"] == 2_064_199_025
    with pytest.raises(DomainRuleViolated, match="by 2064199025 KZT"):
        registry.commit_funding(**{**commitment, "commitment_id": "QH-EQ-2",
                                   "amount_kzt": 4_063_255_771})
    assert CommitmentListener.received[-1]["data"]["amount_kzt"] == 2_064_199_025
    paid = dict(programme_id="aktobe", commitment_id="QH-EQ", reference="PO-1",
                amount_kzt=2_000_000_000, disbursed_on="2023-03-01")
    assert registry.record_disbursement(**paid)["commitments"][0]["disbursed_kzt"] == \
        2_000_000_000
    with pytest.raises(DomainRuleViolated, match="by 1 KZT") as refused:
        registry.record_disbursement(**{**paid, "reference": "PO-2", "amount_kzt": 64_199_026})
    assert refused.value.errors == {"amount_kzt": ["Exceeds what is left to disburse by 1 KZT."]}
    with pytest.raises(InvalidInput) as invalid:
        registry.record_disbursement(**{**paid, "amount_kzt": 1.5, "disbursed_on": "soon"})
    assert set(invalid.value.errors) == {"amount_kzt", "disbursed_on"}


def test_the_seed_programmes_load_through_rpc_and_read_back(registry, config):
    load_registry.load(SimpleNamespace(registry=registry))
    aktobe = registry.programme_summary(programme_id="aktobe-small-schools",
                                        school_year=FIRST_YEAR)
    assert (aktobe["organisations"], aktobe["small_class_schools"], aktobe["pupils"]) == (
        134, 134, 10_500)
    assert aktobe["schools_by_size"] == {"80_or_fewer_pupils": 113, "over_80_pupils": 21}
    assert aktobe["committed_by_scope"]["equipment"] == 2_064_199_025
    assert aktobe["committed_kzt"] == aktobe["budget_kzt"] == 4_063_255_771
    uralsk = registry.programme_summary(programme_id="uralsk-accelerator")
    assert uralsk["by_kind"] == {"further_education": 7, "preschool": 45, "school": 33}
    baquatty = registry.get_programme(programme_id="baquatty-audan")
    assert set(baquatty["roles"]) == {"amanat", "esen-foundation", "ansa",
                                      "baquatty-aimaq-qory", "akimat-tselinograd"}
    assert baquatty["targets"]["teachers_trained"]["periods"][0]["target"] == "500.00"
    kyzylorda = registry.programme_summary(programme_id="kyzylorda-partner-directors")
    assert kyzylorda["organisations"] == 130
    events = stored(registry)
    load_registry.load(SimpleNamespace(registry=registry))  # the demo runs twice safely
    assert stored(registry) == events
    metrics = requests.get(f"http://{config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text
    assert 'baqylau_import_rows_total{kind="organisation",outcome="unchanged",service="registry"}' \
        in metrics


def test_concurrent_registrations_of_one_bin_leave_exactly_one_organisation(registry):
    base = {**GOOD, "pupils": 60, "teachers": 11, "small_class": True, "network_role": None,
            "school_year": FIRST_YEAR}
    replies = [registry.register_organisation.call_async(**{**base, "organisation_id": f"R-{n}"})
               for n in range(8)]
    outcomes = []
    for reply in replies:
        try:
            outcomes.append(reply.result()["organisation_id"])
        except Exception as exc:  # noqa: BLE001 - collect each caller's error to compare
            outcomes.append(type(exc).__name__)
    winners = [o for o in outcomes if o.startswith("R-")]
    assert len(winners) == 1 and outcomes.count("Conflict") == 7
    listed = registry.list_organisations()["items"]
    assert [o["organisation_id"] for o in listed] == winners
