"""Test fixtures. Integration fixtures use the real servers started by `make up`:
PostgreSQL on 127.0.0.1:5433 and RabbitMQ on 127.0.0.1:5672 (management on 15672), or the
ports scripts/stack.sh was given (PG_PORT, AMQP_PORT, MGMT_PORT), so that a drill that kills
servers can run against a private stack rather than the one others share."""

# nameko's AMQP reads hang under plain pytest unless eventlet patches the stdlib first.
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import uuid  # noqa: E402

# The tests' broker user is guest, on throwaway vhosts: the services take it for the
# operators (who may call everything) unless told otherwise. The tests of who may do what
# (tests/access) make broker users of their own, each with its grant.
os.environ.setdefault("BAQYLAU_OPERATORS", "guest")
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import psycopg2  # noqa: E402
import pytest  # noqa: E402
from nameko.standalone.rpc import ServiceRpcProxy  # noqa: E402
from nameko.testing.utils import find_free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("DB_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("DB_PORT", os.environ.get("PG_PORT", "5433")))
PG_SUPERUSER = os.environ.get("PG_SUPERUSER", "postgres")
PG_SUPERPASS = os.environ.get("PG_SUPERPASS", "postgres")
AMQP_PORT = int(os.environ.get("AMQP_PORT", "5672"))
AMQP_URI = os.environ.get("AMQP_URI", f"pyamqp://guest:guest@127.0.0.1:{AMQP_PORT}/")
RABBIT_API_URI = f"http://guest:guest@127.0.0.1:{os.environ.get('MGMT_PORT', '15672')}"


def pytest_configure(config):
    # Point nameko's fixtures at our loopback broker unless told otherwise.
    # nameko's own default is "pyamqp://guest:guest@localhost:5672/": left as it was, every
    # container of a test on a private stack dialled the shared broker's port.
    if config.getoption("RABBIT_AMQP_URI", None) in (
            None, "pyamqp://guest:guest@localhost", "pyamqp://guest:guest@localhost:5672/"):
        config.option.RABBIT_AMQP_URI = AMQP_URI
    if config.getoption("RABBIT_API_URI", None) in (None, "http://guest:guest@localhost:15672"):
        config.option.RABBIT_API_URI = RABBIT_API_URI


def admin_connection():
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_SUPERUSER,
                            password=PG_SUPERPASS, dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


def create_database() -> dict:
    """A new, empty PostgreSQL database owned by the training role, as EVENT_STORE config."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = admin_connection()
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" OWNER training')
    finally:
        admin.close()
    return {"persistence_module": "eventsourcing.postgres", "dbname": name,
            "host": PG_HOST, "port": PG_PORT, "user": "training", "password": "training",
            "pool_size": 5, "max_overflow": 10}


def drop_databases(names: list[str]) -> None:
    # A new connection each time: a test may have restarted PostgreSQL meanwhile.
    admin = admin_connection()
    try:
        with admin.cursor() as cur:
            for name in names:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@contextmanager
def throwaway_databases():
    """A maker of new PostgreSQL databases (create_database), all dropped on leaving."""
    names = []

    def make():
        store = create_database()
        names.append(store["dbname"])
        return store

    try:
        yield make
    finally:
        drop_databases(names)


@contextmanager
def throwaway_vhost(rabbit_manager, prefix):
    """A new RabbitMQ vhost for guest, deleted on leaving; yields its AMQP URI."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    rabbit_manager.create_vhost(name)
    rabbit_manager.set_vhost_permissions(name, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP_URI.rstrip('/')}/{name}"
    finally:
        rabbit_manager.delete_vhost(name)


@pytest.fixture
def pg_databases():
    """Makes throwaway PostgreSQL databases (owned by the training role); drops them after."""
    with throwaway_databases() as make:
        yield make


@pytest.fixture
def pg_database(pg_databases):
    """A throwaway PostgreSQL database owned by the training role; dropped afterwards."""
    return pg_databases()


@pytest.fixture
def sqlite_store(tmp_path):
    return {"persistence_module": "eventsourcing.sqlite", "dbname": str(tmp_path / "es.db")}


def dsn_of(store: dict) -> str:
    return (f"dbname={store['dbname']} host={store['host']} port={store['port']} "
            f"user={store['user']} password={store['password']}")


def config_for(rabbit_config, store, batch_size=100, **extra):
    """A service's config on the test vhost and the given event store, on a free port."""
    return {**rabbit_config, "EVENT_STORE": store, **extra,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{find_free_port()}",
            "RELAY": {"poll_interval": 0.2, "batch_size": batch_size}}


@pytest.fixture
def stack(container_factory, rabbit_config, pg_databases):
    registry_config = config_for(rabbit_config, pg_databases())
    store = pg_databases()
    reporting_config = config_for(rabbit_config, None, READ_MODEL={
        "host": store["host"], "port": store["port"], "dbname": store["dbname"],
        "user": store["user"], "password": store["password"], "catch_up_interval": 1,
        "sources": ["registry"]})

    """Registry and reporting in containers on the real servers: `stack(name)` starts one
    and returns an RPC proxy; `stack.web` is reporting's base URL."""
    from services.registry.service import RegistryService
    from services.reporting.service import ReportingService

    def start(name):
        if name == "registry":
            container_factory(RegistryService, registry_config).start()
            return ServiceRpcProxy("registry", registry_config)
        container_factory(ReportingService, reporting_config).start()
        return ServiceRpcProxy("reporting", reporting_config)

    start.web = f"http://{reporting_config['WEB_SERVER_ADDRESS']}"
    start.reporting_config = reporting_config  # a test may change it before starting
    start.amqp = rabbit_config["AMQP_URI"]
    return start
