"""The idempotent consumer helper on the real PostgreSQL."""

from datetime import UTC, datetime

import psycopg2
import pytest

from shared.consumer import ProcessedEvents
from shared.contracts import Envelope
from tests.conftest import dsn_of

pytestmark = pytest.mark.integration


@pytest.fixture
def conn(pg_database):
    connection = psycopg2.connect(dsn_of(pg_database))
    with connection, connection.cursor() as cur:
        cur.execute("CREATE TABLE trained (school text PRIMARY KEY, n int NOT NULL)")
    yield connection
    connection.close()


def completed(notification_id):
    return Envelope(source="/baqylau/training", type="TrainingCompleted",
                    time=datetime.now(UTC), subject="e", schemaversion=1,
                    notificationid=notification_id, subjectversion=3)


def count_one(cur):
    cur.execute("INSERT INTO trained VALUES ('S-1', 1) "
                "ON CONFLICT (school) DO UPDATE SET n = trained.n + 1")


def total(conn):
    with conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(sum(n), 0) FROM trained")
        return cur.fetchone()[0]


def test_a_redelivered_event_is_counted_once(conn):
    processed = ProcessedEvents(conn)
    assert processed.handle_once(completed(7), count_one)
    assert not processed.handle_once(completed(7), count_one)
    assert processed.handle_once(completed(8), count_one)
    assert total(conn) == 2
    assert processed.handled("/baqylau/training") == [7, 8]


def test_a_failing_handler_leaves_no_trace_and_can_be_retried(conn):
    processed = ProcessedEvents(conn)

    def crash(cur):
        count_one(cur)
        raise RuntimeError("projection bug")

    with pytest.raises(RuntimeError):
        processed.handle_once(completed(9), crash)
    assert total(conn) == 0
    assert processed.handle_once(completed(9), count_one)
    assert total(conn) == 1
