"""The training service in a nameko container on the real RabbitMQ and PostgreSQL."""

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import find_free_port

from services.training.service import TrainingService


@pytest.fixture
def config(rabbit_config, pg_database):
    port = find_free_port()
    return {**rabbit_config, "EVENT_STORE": pg_database,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "RELAY": {"poll_interval": 0.2, "batch_size": 100}}


@pytest.fixture
def training(container_factory, config):
    container = container_factory(TrainingService, config)
    container.start()
    with ServiceRpcProxy("training", config) as proxy:
        yield proxy
