"""How the command line reaches the platform: RPC over the broker the services use, as the
operators' principal (`AMQP_URI`, else the local stack's `operators` broker user), and each
service's HTTP port. Every call has a deadline, and a part that does not answer becomes one
line naming it and how to start it, never a traceback."""

from __future__ import annotations

import contextlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import quote, urlsplit

import kombu.exceptions
from amqp.exceptions import AccessRefused, AMQPError, NotAllowed, NotFound
from nameko.exceptions import RpcTimeout, UnknownService

from cli.errors import fail
from shared.access.roles import OPERATORS
from shared.calling import ClusterRpcProxy
from shared.config import DEFAULT_AMQP_URI

# The local ports of scripts/services.sh; in a cluster every service listens on 8000 behind a
# Service of its own name (BAQYLAU_URL_PATTERN=http://{service}:8000).
LOCAL_PORTS = {"registry": 8002, "equipment": 8003, "assessment": 8004, "training": 8001,
               "reporting": 8005}
SERVICES = tuple(LOCAL_PORTS)
RPC_TIMEOUT = 30.0  # seconds; a bulk call of 2,000 rows takes a few
HTTP_TIMEOUT = 5.0
START_HINT = "start the services with `make services` (or `bash scripts/services.sh start {}`)"
# Where `make up` keeps the local broker users' passwords (scripts/principals.py writes them).
LOCAL_PRINCIPALS = Path(__file__).resolve().parent.parent / ".stack" / "principals"


class PlatformError(Exception):
    """Something the command needs does not answer; the message is the one line to print."""


class NotAnswering(PlatformError):
    pass


def amqp_uri() -> str:
    """AMQP_URI, else the local stack's operators (a checkout after `make up`), else the
    default broker URI."""
    return checked_uri(os.environ.get("AMQP_URI") or local_operators_uri() or DEFAULT_AMQP_URI)


def local_operators_uri() -> str | None:
    return local_uri(OPERATORS)


def local_uri(principal: str, vhost: str = "/") -> str | None:
    """The local stack's URI for `principal`'s broker user on `vhost`, if `make up` made
    it (scripts/principals.py keeps its password in .stack/principals/)."""
    secret = LOCAL_PRINCIPALS / principal
    if not secret.is_file():
        return None
    password = quote(secret.read_text().strip(), safe="")
    path = "" if vhost == "/" else quote(vhost, safe="")
    return (f"pyamqp://{quote(principal, safe='')}:{password}@127.0.0.1:"
            f"{os.environ.get('AMQP_PORT', '5672')}/{path}")


def rpc_timeout() -> float:
    return float(os.environ.get("BAQYLAU_RPC_TIMEOUT") or RPC_TIMEOUT)


def service_url(service: str) -> str:
    """BAQYLAU_<SERVICE>_URL, else BAQYLAU_URL_PATTERN with {service}, else the local port."""
    given = os.environ.get(f"BAQYLAU_{service.upper()}_URL")
    if given:
        return given.rstrip("/")
    pattern = os.environ.get("BAQYLAU_URL_PATTERN")
    if pattern:
        return pattern.format(service=service).rstrip("/")
    return f"http://127.0.0.1:{LOCAL_PORTS[service]}"


def management_url() -> str:
    """RabbitMQ's management API: RABBITMQ_MANAGEMENT_URL, else the broker's host on 15672
    with AMQP_URI's credentials (guest's without it: the local stack's administrator; the
    operators' broker user has no access to the management API)."""
    given = os.environ.get("RABBITMQ_MANAGEMENT_URL")
    if given:
        return given.rstrip("/")
    parts = urlsplit(os.environ.get("AMQP_URI") or DEFAULT_AMQP_URI)
    return f"http://{parts.username or 'guest'}:{parts.password or 'guest'}@" \
           f"{parts.hostname or '127.0.0.1'}:15672"


def vhost() -> str:
    return urlsplit(amqp_uri()).path.lstrip("/") or "/"


def shown(uri: str) -> str:
    """A URI fit to print: everything between `://` and the last `@` but the user replaced,
    as text, so that a password that was not percent-encoded (a `#`, `/` or `?` in it,
    which no URI parser reads as the password) is never printed either."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, place = rest.rpartition("@")
    if not sep or not at:
        return uri
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{place}"


def checked_uri(uri: str) -> str:
    """The URI, or one line and exit 2 when it cannot be read (a password with `#`, `/` or
    `?` not percent-encoded reads as a port or a path): said without echoing it."""
    try:
        urlsplit(uri).port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        fail(f"AMQP_URI is malformed ({shown(uri)})",
             "percent-encode any # / ? @ : in the user or password (%23 %2F %3F %40 %3A)")
    return uri


BROKER_ERRORS = (OSError, AMQPError, kombu.exceptions.OperationalError)


def credentials_source() -> str:
    """Where the broker user and password the command uses were read from."""
    if os.environ.get("AMQP_URI"):
        return "AMQP_URI"
    if local_operators_uri():
        return f"{LOCAL_PRINCIPALS / OPERATORS} (written by `make up`), or set AMQP_URI"
    return "AMQP_URI (unset: the default guest user)"


def broker_unreachable(exc: Exception) -> PlatformError:
    """What the broker's refusal or silence means, and what to do: a wrong password is not
    mended by starting RabbitMQ, nor a missing vhost by a grant."""
    uri = amqp_uri()
    where, user, text = f"RabbitMQ at {shown(uri)}", urlsplit(uri).username, str(exc)
    if isinstance(exc, AccessRefused) and "Login was refused" in text:
        return PlatformError(f"{where} refused the login of broker user {user!r} (403 "
                             "ACCESS_REFUSED: wrong user name or password); check the user "
                             f"and password in {credentials_source()}")
    if isinstance(exc, NotAllowed) and "not found" in text:
        return PlatformError(f"{where}: the vhost {vhost()!r} does not exist (530 "
                             "NOT_ALLOWED); correct the vhost at the end of AMQP_URI, or have "
                             f"the broker's operator create it (`rabbitmqctl add_vhost "
                             f"{vhost()}`) and start the services on it")
    if isinstance(exc, NotAllowed):
        return PlatformError(f"{where} refused the broker user {user!r} on the vhost "
                             f"{vhost()!r}: it has no permission there (530 NOT_ALLOWED); "
                             f"the platform's operators grant it a role (`baqylau access "
                             f"grant {user} --role ...`), or use another vhost in AMQP_URI")
    if isinstance(exc, AccessRefused):  # logged in, then refused a call outside its role
        return PlatformError(f"{where} refused the broker user {user!r} ({exc}): its role "
                             "does not allow this call; the platform's operators grant roles "
                             "(`baqylau access grant`)")
    return PlatformError(f"{where} is not reachable ({type(exc).__name__}: {exc}); start it "
                         "with `make up`, or check the host and port in AMQP_URI")


@contextmanager
def answered(service: str, timeout: float) -> Iterator[None]:
    """Turn nameko's silence into one line naming the service that did not answer."""
    try:
        yield
    except RpcTimeout:
        raise NotAnswering(f"{service} is not answering (no reply within {timeout:g} s); "
                           + START_HINT.format(service)) from None
    except UnknownService:
        raise NotAnswering(f"{service} is not running (nothing listens for its calls on "
                           f"{shown(amqp_uri())}); " + START_HINT.format(service)) from None
    except BROKER_ERRORS as exc:
        raise broker_unreachable(exc) from None


class _Reply:
    def __init__(self, reply: Any, service: str, timeout: float) -> None:
        self.reply, self.service, self.timeout = reply, service, timeout

    def result(self) -> Any:
        with answered(self.service, self.timeout):
            return self.reply.result()


class _Method:
    def __init__(self, method: Any, service: str, timeout: float) -> None:
        self.method, self.service, self.timeout = method, service, timeout

    def __call__(self, **payload: Any) -> Any:
        with answered(self.service, self.timeout):
            return self.method(**payload)

    def call_async(self, **payload: Any) -> _Reply:
        with answered(self.service, self.timeout):
            return _Reply(self.method.call_async(**payload), self.service, self.timeout)


class _Service:
    def __init__(self, proxy: Any, service: str, timeout: float) -> None:
        self.proxy, self.service, self.timeout = proxy, service, timeout

    def __getattr__(self, method: str) -> _Method:
        return _Method(getattr(self.proxy, method), self.service, self.timeout)


class Cluster:
    """`cluster.training.summary(...)` as with nameko's proxy, every call with its deadline."""

    def __init__(self, proxy: Any, timeout: float) -> None:
        self.proxy, self.timeout = proxy, timeout

    def __getattr__(self, service: str) -> _Service:
        return _Service(getattr(self.proxy, service), service, self.timeout)


class _NoServiceStarted:
    """Calls on a vhost where no service ever started: its RPC exchange does not exist (a
    caller binds to it without declaring it), so each service called is not running."""

    def __init__(self, service: str = "") -> None:
        self.service = service

    def __getattr__(self, name: str) -> _NoServiceStarted:
        return self if self.service else _NoServiceStarted(name)

    def __call__(self, **_: Any) -> Any:
        raise UnknownService(self.service)

    call_async = __call__


@contextmanager
def cluster(timeout: float | None = None,
            headers: Mapping[str, str] | None = None) -> Iterator[Cluster]:
    """An RPC connection to every service on `amqp_uri()`; calls wait at most `timeout` s
    and carry `headers` (an import names its file: cli/provenance.py)."""
    timeout = timeout or rpc_timeout()
    standalone = ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=timeout, headers=headers)
    try:
        proxy = standalone.start()
    except NotFound:
        proxy = _NoServiceStarted()
    except BROKER_ERRORS as exc:
        raise broker_unreachable(exc) from None
    try:
        yield Cluster(proxy, timeout)
    finally:
        # The broker may have gone meanwhile: what was asked has been answered or reported.
        with contextlib.suppress(*BROKER_ERRORS):
            standalone.stop()
