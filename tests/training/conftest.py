"""The training service in a nameko container on the real RabbitMQ and PostgreSQL, beside
the registry whose programmes and schools it learns (a throwaway database each)."""

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import find_free_port

from services.registry.service import RegistryService
from services.training.service import TrainingService
from tests.training.registry import launch

# The schools the tests enrol teachers of; S-0x in the import tests.
SCHOOLS = ["S-001", "S-002", "S-01", "S-02", "S-03"]
FACTS = 1 + len(SCHOOLS)  # the programme launched and its schools joined, in training's log


@pytest.fixture
def config(rabbit_config, pg_database):
    port = find_free_port()
    return {**rabbit_config, "EVENT_STORE": pg_database,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "RELAY": {"poll_interval": 0.2, "batch_size": 100},
            "CATCH_UP": {"interval": 60, "miss_timeout": 5}}


@pytest.fixture
def registry_config(rabbit_config, pg_databases):
    return {**rabbit_config, "EVENT_STORE": pg_databases(),
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
            "RELAY": {"poll_interval": 0.2, "batch_size": 100}}


@pytest.fixture
def registry(container_factory, registry_config):
    container_factory(RegistryService, registry_config).start()
    with ServiceRpcProxy("registry", registry_config) as proxy:
        launch(proxy, "baquatty-audan", SCHOOLS)
        yield proxy


@pytest.fixture
def training(container_factory, config, registry):
    container = container_factory(TrainingService, config)
    container.start()
    with ServiceRpcProxy("training", config) as proxy:
        proxy.catch_up_registry()  # the facts stored first: FACTS events, then the test's
        yield proxy
