"""A replica as a deployment starts one, a `nameko run` process, meets the frames that stopped
replicas before (they wait at the head of its queues) and stays up: each is answered or set
aside, the queues drain, and a minute on it still answers and consumes."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.conftest import throwaway_databases, throwaway_vhost
from tests.faults.platform import Platform
from tests.fuzz.frames import RPC_EXCHANGE, Frame, RawClient, request

pytestmark = pytest.mark.integration

POISON = [request(content_type=None), Frame(b"\xff", "application/json"),
          Frame(b'{"args": {}, "kwargs": []}', "application/json"),
          request(headers={"nameko.call_id_stack": 7, "compression": "application/x-gzip"}),
          Frame(b"[" * 100_000, "application/json")]
TRAINING_QUEUES = ["rpc-training",
                   "evt-registry-ProgrammeLaunched--training.on_programme_launched",
                   "evt-registry-OrganisationJoinedProgramme--training.on_joined_programme"]
STAY_UP = 70  # seconds: past a heartbeat's 60, in which a stalled consumer loop would show


def wait_until(check, what: str, deadline: float = 30):
    end = time.monotonic() + deadline
    while not (found := check()):
        assert time.monotonic() < end, f"{what}: not within {deadline} s"
        time.sleep(0.3)
    return found


def test_a_new_replica_process_takes_the_poison_and_stays_up(rabbit_manager, tmp_path):
    with throwaway_vhost(rabbit_manager, "baqylau_poison") as amqp_uri, \
            throwaway_databases() as databases:
        platform = Platform(tmp_path, amqp_uri, databases, services=("registry", "training"))
        client = RawClient(amqp_uri)
        try:
            platform.start_all()
            platform.kill("training")  # its queues stay, durable, with nobody consuming
            asked = []
            for frame in POISON:
                frame.reply_to, frame.correlation_id = client.reply_key, uuid.uuid4().hex
                asked.append(frame.correlation_id)
                client.publish(frame, RPC_EXCHANGE, "training.summary")
            for queue in TRAINING_QUEUES[1:]:
                client.publish(Frame(b"\xff\x00"), "", queue)
                client.publish(Frame(b"[" * 100_000), "", queue)
            platform.start("training")
            answers = [client.reply(correlation_id)["error"] for correlation_id in asked]
            assert [a["exc_type"] for a in answers] == ["InvalidInput"] * len(POISON), answers
            wait_until(lambda: all(client.queue_depth(q) == (0, 1) for q in TRAINING_QUEUES),
                       "training's queues drained, each with its consumer")
            time.sleep(STAY_UP)
            platform.check_alive("a minute after the poison")
            assert all(client.queue_depth(q)[1] == 1 for q in TRAINING_QUEUES), \
                {q: client.queue_depth(q) for q in TRAINING_QUEUES}
            still = request({"after": 0, "limit": 1}, reply_to=client.reply_key,
                            correlation_id=uuid.uuid4().hex)
            client.publish(still, RPC_EXCHANGE, "training.notifications")
            assert client.reply(still.correlation_id)["error"] is None
            assert wait_until(lambda: client.queue_depth("training.dead-letter")[0] >= 4,
                              "the four event frames set aside in training.dead-letter")
        finally:
            client.close()
            platform.stop_all()
