"""The event-handler entrypoint every consumer uses: a lost acknowledgement or requeue is let
go (poison is tried against the real broker in each consumer's tests)."""

from __future__ import annotations

from unittest import mock

import amqp.exceptions
import kombu.exceptions
import psycopg2
import pytest

from shared.broker import Subscription


def message_whose_ack_fails(error: BaseException) -> mock.Mock:
    message = mock.Mock()
    message.ack.side_effect = error
    message.requeue.side_effect = error
    return message


@pytest.mark.parametrize("error", [
    ConnectionResetError(104, "Connection reset by peer"),
    BrokenPipeError(32, "Broken pipe"),
    ConnectionAbortedError(103, "Software caused connection abort"),
    # nameko 2.14 itself lets amqp's ConnectionError go; these it does not:
    kombu.exceptions.OperationalError("connection already closed"),
    amqp.exceptions.RecoverableChannelError("channel closed by the broker"),
])
def test_an_ack_lost_to_the_broker_does_not_escape_the_worker(error):
    handler = Subscription("registry", "OrganisationRegistered")
    message = message_whose_ack_fails(error)
    handler.handle_message_processed(message, result=None, exc_info=None)
    message.ack.assert_called_once()


def test_a_requeue_lost_to_the_broker_does_not_escape_the_worker():
    # A database outage is put back (requeued), not retried nor set aside.
    handler = Subscription("registry", "OrganisationRegistered")
    message = message_whose_ack_fails(ConnectionResetError(104, "Connection reset by peer"))
    outage = psycopg2.OperationalError("server closed the connection unexpectedly")
    failure = (psycopg2.OperationalError, outage, None)
    handler.handle_message_processed(message, result=None, exc_info=failure)
    message.requeue.assert_called_once()
    message.ack.assert_not_called()


def test_a_programming_error_in_the_ack_still_surfaces():
    # Only the broker's absence is let go: anything else is a defect that must be seen.
    handler = Subscription("registry", "OrganisationRegistered")
    message = message_whose_ack_fails(TypeError("not a broker problem"))
    with pytest.raises(TypeError):
        handler.handle_message_processed(message, result=None, exc_info=None)
