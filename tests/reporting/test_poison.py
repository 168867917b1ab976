"""Reporting's live feed on the one poison mechanism (shared/poison.py), over the real
RabbitMQ and PostgreSQL: a handler that keeps failing is set aside after 5 tries and counted,
a database outage is waited out, and a replay after the fix counts the event once."""

import kombu
import psycopg2
import pytest

from services.reporting.ingest import feed, projections
from tests.reporting.test_service import committed, issue, seed, wait_for
from tests.shared.consumers import dead_letters_counted

pytestmark = pytest.mark.integration


def commit(registry, commitment_id, amount):
    registry.commit_funding(programme_id="aktobe", funder_id="qh", commitment_id=commitment_id,
                            scope="equipment", amount_kzt=amount, committed_on="2023-02-02")


def test_a_failing_handler_is_set_aside_an_outage_waited_out_and_a_replay_counts_once(
        stack, monkeypatch, rabbit_config):
    real_batch, real_one = projections.handle_batch, projections.handle
    state = {"broken": True, "failed": 0, "outages": 1}

    def which(envelope):
        return envelope.data.get("commitment_id") if envelope.type == "FundingCommitted" \
            else None

    def handle_batch(conn, envelopes, *args, **kwargs):
        for envelope in envelopes:
            if which(envelope) == "QH-BAD" and state["broken"]:
                raise RuntimeError("a bug in the projection")
            if which(envelope) == "QH-DOWN" and state["outages"]:
                state["outages"] -= 1
                raise psycopg2.OperationalError("the read model's database went away")
        return real_batch(conn, envelopes, *args, **kwargs)

    def handle(conn, envelope, *args, **kwargs):
        if which(envelope) == "QH-BAD" and state["broken"]:
            state["failed"] += 1
            raise RuntimeError("a bug in the projection")
        return real_one(conn, envelope, *args, **kwargs)

    monkeypatch.setattr(projections, "handle_batch", handle_batch)
    monkeypatch.setattr(projections, "handle", handle)
    with stack("reporting") as reporting, stack("registry") as registry:
        before = dead_letters_counted(stack.web, "handler_failed")
        seed(registry, "qh", "aktobe", 1_000)
        token = issue(reporting, "qh")
        commit(registry, "QH-BAD", 7)
        commit(registry, "QH-DOWN", 20)
        assert wait_for(lambda: committed(stack.web, token, "aktobe") == 1_020), \
            "the commitment met by the outage was not applied within 20 s"
        found = wait_for(lambda: (lambda d: d["waiting"] == 1 and d)(
            reporting.list_dead_letters()))
        assert found, "no letter in reporting.dead-letter within 20 s"
        [letter] = found["letters"]
        assert (letter["type"], letter["failure"], letter["queue"]) == (
            "FundingCommitted", "handler_failed", "reporting.events")
        assert "handler failed 5 times: RuntimeError: a bug in the projection" in \
            letter["reason"]
        assert state["failed"] == 5 and state["outages"] == 0
        assert dead_letters_counted(stack.web, "handler_failed") == before + 1
        state["broken"] = False
        assert reporting.replay_dead_letters() == {"replayed": 1}
        assert wait_for(lambda: committed(stack.web, token, "aktobe") == 1_027), \
            "the replayed commitment was not counted within 20 s"
        reporting.catch_up()  # the log holds it too: still counted once
        assert committed(stack.web, token, "aktobe") == 1_027
    # The feed acks a batch at once; with the service gone, a message it left unacked
    # (beside the set aside, the put back, the applied one by one) would be back here.
    assert messages_waiting(rabbit_config["AMQP_URI"], feed.QUEUE) == 0


def messages_waiting(amqp_uri, queue):
    with kombu.Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(queue, passive=True).message_count
