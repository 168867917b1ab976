"""Runs a relay in its own process, for crash tests: `python relay_process.py <json config>`.

With `crash_after_batches: N`, the Nth batch is published and confirmed, then the process
stops before recording the position and waits to be killed: the worst moment to die.
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from shared.publisher import ConfirmingPublisher  # noqa: E402
from tests.shared.relay_helpers import make_app, make_relay  # noqa: E402


class PublisherThatHangsAfter(ConfirmingPublisher):
    def __init__(self, amqp_uri: str, batches: int, marker: str) -> None:
        super().__init__(amqp_uri, "training")
        self.batches, self.marker = batches, Path(marker)

    def publish_batch(self, envelopes):
        super().publish_batch(envelopes)
        self.batches -= 1
        if self.batches == 0:
            self.marker.write_text(str(envelopes[-1].notificationid))
            time.sleep(3600)  # confirmed but not recorded: now kill me


def main() -> None:
    config = json.loads(sys.argv[1])
    app = make_app(config["store"])
    publisher = PublisherThatHangsAfter(config["amqp_uri"], config["crash_after_batches"],
                                        config["marker"])
    relay = make_relay(app, config["store"], config["amqp_uri"], publisher=publisher,
                       batch_size=config["batch_size"], poll_interval=0.1)
    relay.run_forever()


if __name__ == "__main__":
    main()
