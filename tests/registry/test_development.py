"""A school's development (strategies, projects, partnerships) recorded through the registry
service in a nameko container, over the real RabbitMQ and PostgreSQL: each command accepted,
repeated, refused with the field named, and each fact published as its public contract."""

import time
from collections import Counter
from types import SimpleNamespace

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from scripts import load_registry, seed_development
from scripts.seed_registry import PROGRAMMES, SECOND_YEAR
from scripts.seed_registry import generate as registry_seed
from services.registry.development import PARTNER_KINDS
from services.registry.service import RegistryService
from shared.contracts import registry_events
from shared.errors import Conflict, DomainRuleViolated, InvalidInput, NotFound
from tests.conftest import config_for

integration = pytest.mark.integration
PROGRAMME = "uralsk-accelerator"
JOINED, OUTSIDE = ["URL-SCH-01", "URL-SCH-02"], "URL-SCH-03"
STRATEGY = dict(strategy_id="URL-SCH-01-STR", programme_id=PROGRAMME,
                organisation_id="URL-SCH-01", title="Мектептің 2024–2027 даму стратегиясы",
                adopted_on="2024-12-20", valid_until="2027-08-31")
PROJECT = dict(project_id="URL-SCH-01-P1", programme_id=PROGRAMME, organisation_id="URL-SCH-01",
               title="«Оқитын мектеп» кәсіби қоғамдастығы", launched_on="2025-01-15",
               strategy_id="URL-SCH-01-STR")
PARTNERSHIP = dict(partnership_id="URL-SCH-01-M1", programme_id=PROGRAMME,
                   organisation_id="URL-SCH-01",
                   partner_name="М. Өтемісов атындағы Батыс Қазақстан университеті",
                   partner_kind="university", signed_on="2025-02-10",
                   purpose="Студенттердің педагогикалық практикасы", memorandum_ref="№ 14-М/2025")


class DevelopmentListener:
    """Another system subscribing to the three facts the nameko way."""

    name = "development_listener"
    received: list = []

    @event_handler("registry", "StrategyAdopted")
    def on_strategy(self, envelope):
        self.received.append(envelope)

    @event_handler("registry", "ProjectLaunched")
    def on_project(self, envelope):
        self.received.append(envelope)

    @event_handler("registry", "PartnershipSigned")
    def on_partnership(self, envelope):
        self.received.append(envelope)


@pytest.fixture
def config(rabbit_config, pg_database):
    return config_for(rabbit_config, pg_database)


@pytest.fixture
def registry(container_factory, config):
    """The registry with the Uralsk programme, two of its schools joined and a third
    registered but not joined."""
    container_factory(RegistryService, config).start()
    with ServiceRpcProxy("registry", config) as proxy:
        [uralsk] = [p for p in PROGRAMMES if p["programme_id"] == PROGRAMME]
        proxy.launch_programme(**uralsk)
        schools = [*JOINED, OUTSIDE]
        rows = [{**row, "row": n} for n, row in enumerate(
            (r for r in registry_seed().rows[SECOND_YEAR] if r["organisation_id"] in schools),
            start=2)]
        assert proxy.import_organisations(school_year=SECOND_YEAR, rows=rows)["counts"] == {
            "registered": 3}
        for school in JOINED:
            proxy.join_programme(programme_id=PROGRAMME, organisation_id=school,
                                 model="management_course", joined_on="2024-09-01")
        yield proxy


def stored(registry):
    return registry.notifications(after=0, limit=1)["last_notification_id"]


def every_event(registry):
    after, last = 0, stored(registry)
    while after < last:
        page = registry.notifications(after=after, limit=1000)
        yield from page["items"]
        after = page["next_after"]


def refusal(registry, command, exception, **payload):
    """The command's refusal, nothing stored by it."""
    before = stored(registry)
    with pytest.raises(exception) as caught:
        getattr(registry, command)(**payload)
    assert stored(registry) == before
    return caught.value


def refused(registry, command, exception, **payload):
    """The fields the command's refusal (nothing stored by it) names."""
    return refusal(registry, command, exception, **payload).errors


@integration
def test_each_fact_is_recorded_and_published_with_its_contracts_fields(registry,
                                                                      container_factory,
                                                                      config):
    listener = container_factory(DevelopmentListener, config)
    listener.start()
    DevelopmentListener.received.clear()
    assert registry.adopt_strategy(**STRATEGY)["outcome"] == "recorded"
    assert registry.launch_project(**PROJECT)["outcome"] == "recorded"
    assert registry.sign_partnership(**PARTNERSHIP)["outcome"] == "recorded"
    deadline = time.monotonic() + 10  # each type has its own queue: any order, all three
    while len(DevelopmentListener.received) < 3:
        assert time.monotonic() < deadline, DevelopmentListener.received
        time.sleep(0.1)
    sent = {"StrategyAdopted": STRATEGY, "ProjectLaunched": PROJECT,
            "PartnershipSigned": PARTNERSHIP}
    contracts = {"StrategyAdopted": registry_events.StrategyAdoptedV1,
                 "ProjectLaunched": registry_events.ProjectLaunchedV1,
                 "PartnershipSigned": registry_events.PartnershipSignedV1}
    assert sorted(e["type"] for e in DevelopmentListener.received) == sorted(sent)
    for envelope in DevelopmentListener.received:
        assert envelope["schemaversion"] == 1
        assert set(envelope["data"]) == set(contracts[envelope["type"]]().fields)
        assert envelope["data"] == sent[envelope["type"]]


@integration
def test_a_fact_sent_again_stores_nothing_and_with_other_details_is_refused(registry):
    registry.adopt_strategy(**STRATEGY)
    registry.launch_project(**PROJECT)
    registry.sign_partnership(**PARTNERSHIP)
    before = stored(registry)
    assert registry.adopt_strategy(**STRATEGY)["outcome"] == "unchanged"
    assert registry.launch_project(**PROJECT)["outcome"] == "unchanged"
    assert registry.sign_partnership(**PARTNERSHIP)["outcome"] == "unchanged"
    assert stored(registry) == before
    assert set(refused(registry, "adopt_strategy", Conflict,
                       **{**STRATEGY, "adopted_on": "2025-01-10"})) == {"adopted_on"}
    assert set(refused(registry, "sign_partnership", Conflict,
                       **{**PARTNERSHIP, "partner_kind": "government",
                          "memorandum_ref": "№ 15-М/2025"})) == {"partner_kind",
                                                                "memorandum_ref"}


@integration
def test_refuses_an_unknown_organisation_naming_it(registry):
    errors = refused(registry, "adopt_strategy", NotFound,
                     **{**STRATEGY, "organisation_id": "URL-SCH-99"})
    assert errors == {"organisation_id": ["No organisation URL-SCH-99."]}


@integration
def test_refuses_an_organisation_that_has_not_joined_the_programme_naming_it(registry):
    errors = refused(registry, "sign_partnership", DomainRuleViolated,
                     **{**PARTNERSHIP, "organisation_id": OUTSIDE})
    assert errors == {"organisation_id": [f"Not a participant of programme {PROGRAMME}."]}


@integration
def test_refuses_an_unknown_programme_naming_it(registry):
    errors = refused(registry, "launch_project", NotFound,
                     **{**PROJECT, "programme_id": "nowhere", "strategy_id": None})
    assert set(errors) == {"programme_id"}


@integration
def test_refuses_a_partner_kind_outside_the_list_naming_it(registry):
    errors = refused(registry, "sign_partnership", InvalidInput,
                     **{**PARTNERSHIP, "partner_kind": "sponsor"})
    assert set(errors) == {"partner_kind"}
    assert set(PARTNER_KINDS) == {"business", "ngo", "university", "government", "school",
                                  "other"}


@integration
def test_refuses_dates_that_are_not_dates_or_out_of_order_naming_each(registry):
    errors = refused(registry, "adopt_strategy", InvalidInput,
                     **{**STRATEGY, "adopted_on": "2024-13-01"})
    assert set(errors) == {"adopted_on"}
    errors = refused(registry, "adopt_strategy", InvalidInput,
                     **{**STRATEGY, "valid_until": "2024-01-01"})
    assert errors == {"valid_until": ["Must not be before adopted_on."]}
    assert set(refused(registry, "launch_project", InvalidInput,
                       **{**PROJECT, "launched_on": "soon"})) == {"launched_on"}


@integration
def test_refuses_a_project_serving_another_schools_strategy_without_naming_the_owner(registry):
    registry.adopt_strategy(**STRATEGY)
    errors = refused(registry, "launch_project", DomainRuleViolated,
                     **{**PROJECT, "project_id": "URL-SCH-02-P1",
                        "organisation_id": "URL-SCH-02"})
    assert errors == {"strategy_id": [f"Not a strategy of URL-SCH-02 in programme {PROGRAMME}."]}
    errors = refused(registry, "launch_project", NotFound,
                     **{**PROJECT, "strategy_id": "URL-SCH-01-NONE"})
    assert set(errors) == {"strategy_id"}
    assert registry.launch_project(**{**PROJECT, "project_id": "URL-SCH-02-P1",
                                      "organisation_id": "URL-SCH-02",
                                      "strategy_id": None})["outcome"] == "recorded"


# ------------------------------------------------- another programme's facts stay its own
OTHER = "uralsk-second-cohort"
FACTS = {"adopt_strategy": STRATEGY, "launch_project": PROJECT,
         "sign_partnership": PARTNERSHIP}


@pytest.fixture
def two_programmes(registry):
    """Uralsk's three facts recorded by URL-SCH-01, and a second programme in the same
    region that URL-SCH-01 and URL-SCH-03 (outside Uralsk's) joined."""
    [uralsk] = [p for p in PROGRAMMES if p["programme_id"] == PROGRAMME]
    registry.launch_programme(**{**uralsk, "programme_id": OTHER,
                                 "name_en": "Uralsk second cohort"})
    for school in ("URL-SCH-01", OUTSIDE):
        registry.join_programme(programme_id=OTHER, organisation_id=school,
                                model="management_course", joined_on="2024-09-01")
    for command, fact in FACTS.items():
        getattr(registry, command)(**fact)
    return registry


def told(refusal, fact, sent):
    """What the refusal's words tell of `fact` beyond what the caller `sent`: its
    programme, school or details (its own id and the strategy it serves are the caller's)."""
    said = f"{refusal.message} {refusal.errors}"
    for value in sorted(map(str, filter(None, sent.values())), key=len, reverse=True):
        said = said.replace(value, "")
    return [value for name, value in fact.items()
            if not name.endswith("_id") or name in ("programme_id", "organisation_id")
            if value and str(value) in said]


@integration
@pytest.mark.parametrize("command", FACTS)
def test_an_id_of_another_programmes_fact_is_refused_naming_only_the_id(two_programmes,
                                                                        command):
    fact = FACTS[command]
    key = next(name for name in fact if name.endswith("_id"))
    for sent in ({**fact, "programme_id": OTHER},  # the same details, another programme
                 {**fact, "programme_id": OTHER, "organisation_id": OUTSIDE,
                  "title": "Басқа", "partner_name": "Басқа"}):
        sent = {name: value for name, value in sent.items() if name in fact}
        if command == "launch_project":
            sent["strategy_id"] = None
        refused_ = refusal(two_programmes, command, Conflict, **sent)
        assert refused_.errors == {key: ["Already used."]}
        assert told(refused_, fact, sent) == []


@integration
def test_an_id_of_another_programmes_fact_sent_for_a_school_outside_is_refused_for_the_school(
        two_programmes):
    sent = {**STRATEGY, "programme_id": OTHER, "organisation_id": "URL-SCH-02"}
    refused_ = refusal(two_programmes, "adopt_strategy", DomainRuleViolated, **sent)
    assert refused_.errors == {"organisation_id": [f"Not a participant of programme {OTHER}."]}
    assert told(refused_, STRATEGY, sent) == []


@integration
@pytest.mark.parametrize("school", ["URL-SCH-01", OUTSIDE])
def test_refuses_a_project_serving_another_programmes_strategy_without_naming_its_owner(
        two_programmes, school):
    sent = {**PROJECT, "project_id": "OTHER-P1", "programme_id": OTHER,
            "organisation_id": school}
    refused_ = refusal(two_programmes, "launch_project", DomainRuleViolated, **sent)
    assert refused_.errors == {
        "strategy_id": [f"Not a strategy of {school} in programme {OTHER}."]}
    assert told(refused_, STRATEGY, sent) == []


# ---------------------------------------------------------------- the seed
@integration
def test_the_uralsk_seed_files_import_without_a_rejected_row_and_again_store_nothing(
        container_factory, config):
    container_factory(RegistryService, config).start()
    with ServiceRpcProxy("registry", config, timeout=60) as proxy:
        load_registry.load(SimpleNamespace(registry=proxy))
        seed_development.load(SimpleNamespace(registry=proxy))  # exits on a rejected row
        facts = Counter(e["type"] for e in every_event(proxy))
        seed = seed_development.generate()
        assert (facts["StrategyAdopted"], facts["ProjectLaunched"],
                facts["PartnershipSigned"]) == (len(seed.strategies), len(seed.projects),
                                                len(seed.partnerships))
        before = stored(proxy)
        seed_development.load(SimpleNamespace(registry=proxy))  # the demo runs twice safely
        assert stored(proxy) == before


def test_the_uralsk_development_seed_is_deterministic_and_fits_its_account():
    seed = seed_development.generate()
    assert seed == seed_development.generate()
    schools = set(seed_development.SCHOOLS)
    adopted = {s["organisation_id"] for s in seed.strategies}
    assert len(schools) == 33 and adopted < schools and len(adopted) == 33 - 4
    per_school = Counter(p["organisation_id"] for p in seed.projects if p["strategy_id"])
    assert set(per_school) == adopted and set(per_school.values()) <= {1, 2, 3}
    assert 35 <= len(seed.partnerships) <= 45
    assert {p["partner_kind"] for p in seed.partnerships} == set(PARTNER_KINDS)
    assert all(p["organisation_id"] in schools for p in seed.partnerships)
