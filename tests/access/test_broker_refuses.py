"""What the broker itself refuses an outside system, whatever the services would say: its
permissions are made from the roles (shared/access/broker.py), as `make up`, the k8s
definitions and `baqylau access grant` set them. Each attempt is a real AMQP operation by
an academy's broker user; each refusal closes the channel (403 ACCESS_REFUSED)."""

from __future__ import annotations

import kombu
import pytest
from amqp.exceptions import AccessRefused

from shared.publisher import events_exchange
from tests.conftest import throwaway_vhost
from tests.principals import broker_users

pytestmark = pytest.mark.integration
RPC = "nameko-rpc"


@pytest.fixture(scope="module")
def broker(rabbit_manager):
    """A vhost with the platform's exchanges (declared as the services would) and an
    academy's broker user; yields (its AMQP URI, its name)."""
    with throwaway_vhost(rabbit_manager, "baqylau_broker") as amqp_uri, \
            broker_users(amqp_uri, {"academy": "academy", "reporting": "service"}) as users:
        with kombu.Connection(amqp_uri) as connection:
            channel = connection.channel()
            kombu.Exchange(RPC, type="topic", durable=True)(channel).declare()
            for service in ("training", "assessment"):
                events_exchange(service)(channel).declare()
        yield users.uris["academy"], users["academy"], users


def attempt(uri: str, action) -> None:
    with kombu.Connection(uri, transport_options={"confirm_publish": True}) as connection:
        action(connection.channel())


def refused(uri: str, action, resource: str) -> None:
    with pytest.raises(AccessRefused) as caught:
        attempt(uri, action)
    assert resource in str(caught.value), caught.value


def own_queue(channel, name: str) -> kombu.Queue:
    queue = kombu.Queue(name, exclusive=True, auto_delete=True)(channel)
    queue.declare()
    return queue


@pytest.mark.parametrize("key", ["#", "training.*", "training.enrol", "registry.reply-x"])
def test_an_outsider_cannot_listen_to_others_requests_or_replies(broker, key):
    uri, name, _ = broker
    refused(uri, lambda ch: own_queue(ch, f"{name}.snoop").bind_to(RPC, routing_key=key),
            f"topic '{key}'")


def test_an_outsider_binds_its_own_replies(broker):
    uri, name, _ = broker
    attempt(uri, lambda ch: own_queue(ch, f"{name}.reply-1").bind_to(
        RPC, routing_key=f"{name}.reply-1"))


def test_an_outsider_cannot_declare_or_delete_the_rpc_exchange(broker):
    uri, _, _ = broker
    refused(uri, lambda ch: kombu.Exchange(RPC, type="topic", durable=True)(ch).declare(),
            f"exchange '{RPC}'")
    refused(uri, lambda ch: ch.exchange_delete(RPC), f"exchange '{RPC}'")


def test_an_outsider_cannot_publish_events(broker):
    uri, _, _ = broker
    refused(uri, lambda ch: kombu.Producer(ch).publish(
        {"not": "an event"}, exchange="training.events", routing_key="TrainingCompleted",
        serializer="json"), "exchange 'training.events'")


def test_an_outsider_reads_only_the_event_logs_of_its_role(broker):
    uri, name, _ = broker
    attempt(uri, lambda ch: own_queue(ch, f"{name}.training").bind_to(
        "training.events", routing_key="#"))
    refused(uri, lambda ch: own_queue(ch, f"{name}.scores").bind_to(
        "assessment.events", routing_key="#"), "exchange 'assessment.events'")


def test_an_outsider_cannot_declare_a_queue_named_for_someone_else(broker):
    uri, _, _ = broker
    refused(uri, lambda ch: own_queue(ch, "rpc-training"), "queue 'rpc-training'")


@pytest.mark.parametrize("key", ["#", "registry.*", "training.enrol"])
def test_a_service_taken_over_cannot_listen_to_the_others_calls(broker, key):
    """Reporting faces the internet: its broker user binds only its own requests and
    replies, never another service's requests or a caller's replies (an issued token)."""
    _, _, users = broker
    uri, name = users.uris["reporting"], users["reporting"]
    refused(uri, lambda ch: own_queue(ch, f"{name}.snoop").bind_to(RPC, routing_key=key),
            f"topic '{key}'")
    attempt(uri, lambda ch: own_queue(ch, f"{name}.own").bind_to(RPC, routing_key="reporting.*"))
