"""A catch-up round over several logs: one that fails ends the round as an error its
caller can catch, so the periodic catch-up lives on to its next round."""

import pytest

from services.reporting.ingest import logs
from tests.conftest import PG_HOST, PG_PORT
from tests.reporting.conftest import fresh_schema


def test_a_round_whose_sources_fail_raises_an_error_the_caller_can_catch(database,
                                                                        rabbit_config):
    schema = fresh_schema(database)
    dsn = (f"host={PG_HOST} port={PG_PORT} user=reporting password=reporting"
           f" dbname={database.info.dbname}")
    try:
        logs.catch_up(rabbit_config["AMQP_URI"], dsn, ("no_such_log", "nor_this_one"),
                      schema=schema)
    except Exception as exc:  # noqa: BLE001 - any error: what matters is that it is one
        assert "no_such_log" in str(exc) or "nor_this_one" in str(exc)
    else:
        pytest.fail("a round whose sources do not answer must fail")
