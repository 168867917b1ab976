"""Calling the services over RPC as a principal: the request says which broker user sends it.

Every RPC request a Baqylau process sends (a service asking another, the command line, the
demo, the tests) carries the AMQP `user_id` property set to the user of its connection, the
one property RabbitMQ itself checks against the connection (a frame naming another user is
refused by the broker): the services know who calls without trusting anything else the
caller writes. `sign_requests()` makes nameko's RPC publisher set it; it is called when
`shared` is imported, as kombu's decoders are cleared (shared/edge.py).

`ClusterRpcProxy` is nameko's standalone proxy with a reply queue and key named for the
caller's principal, bound to the RPC exchange without declaring it: declaring needs the
broker's `configure` permission on the exchange, which would also let a caller delete it.
A caller is given `configure` on its own queues only (shared/access/broker.py).
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from kombu import Queue
from nameko import rpc as nameko_rpc
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.rpc import RPC_REPLY_QUEUE_TTL, get_rpc_exchange
from nameko.standalone import rpc as standalone
from nameko.standalone.rpc import SingleThreadedReplyListener

DEFAULT_USER = "guest"  # what kombu logs in as when the URI names no user


def principal_of(amqp_uri: str) -> str:
    """The broker user a connection to `amqp_uri` logs in as."""
    user = urlsplit(amqp_uri).username
    return unquote(user) if user else DEFAULT_USER


class SignedPublisher(Publisher):
    """nameko's publisher, stamping each frame with its connection's user."""

    def publish(self, payload: Any, **kwargs: Any) -> None:
        kwargs.setdefault("user_id", principal_of(self.amqp_uri))
        super().publish(payload, **kwargs)


def sign_requests() -> None:
    nameko_rpc.MethodProxy.publisher_cls = SignedPublisher


class _OwnReplyListener(SingleThreadedReplyListener):
    """nameko's reply queue, named and bound `<principal>.reply-<uuid>`: the broker lets an
    outside principal declare and bind only keys and queues under its own name
    (shared/access/broker.py), so nobody binds to another's replies. It binds to the RPC
    exchange without declaring it (a service, which may, declares it: it may be the first
    to start)."""

    declares = False

    def setup(self) -> None:
        config = self.container.config
        key = f"{principal_of(config[AMQP_URI_CONFIG_KEY])}.reply-{uuid.uuid4().hex}"
        exchange = get_rpc_exchange(config)
        exchange.passive = not self.declares  # the services declare it; a caller binds
        self.routing_key = key
        self.queue = Queue(key, exchange=exchange, routing_key=key,
                           queue_arguments={"x-expires": RPC_REPLY_QUEUE_TTL})
        self.queue_consumer.register_provider(self)


class _DeclaringReplyListener(_OwnReplyListener):
    declares = True


class _HeaderedClusterProxy(standalone.ClusterProxy):
    """nameko's cluster proxy, its service proxies sending `headers` as they are (nameko's
    own `ServiceProxy` option); context data would go out `nameko.`-prefixed."""

    def __init__(self, worker_ctx: Any, reply_listener: Any, headers: dict[str, str]) -> None:
        super().__init__(worker_ctx, reply_listener)
        self._headers = headers

    def __getattr__(self, name: str) -> nameko_rpc.ServiceProxy:
        if name not in self._proxies:
            self._proxies[name] = nameko_rpc.ServiceProxy(
                self._worker_ctx, name, self._reply_listener, headers=self._headers)
        return self._proxies[name]


class ClusterRpcProxy(standalone.ClusterRpcProxy):
    """With `headers`, every request carries them too (an import names its file so:
    shared/access/caller.py `source_of`). tests/cli/test_access.py fails if a nameko
    upgrade moves the standalone proxy's parts this reaches (`_worker_ctx`,
    `_reply_listener`)."""

    def __init__(self, config: dict[str, Any], context_data: dict[str, Any] | None = None,
                 timeout: float | None = None,
                 headers: Mapping[str, str] | None = None,
                 declare_exchange: bool = False) -> None:
        super().__init__(config, context_data, timeout,
                         _DeclaringReplyListener if declare_exchange else _OwnReplyListener)
        if headers:
            self._proxy = _HeaderedClusterProxy(self._worker_ctx, self._reply_listener,
                                                dict(headers))
