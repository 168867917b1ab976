"""The image, run as the manifests run it: each of the five services from $IMAGE with the
Deployment's arguments, environment and constraints (scripts/image_plan.py reads them from
the rendered base), against the local RabbitMQ and PostgreSQL on a throwaway vhost and
throwaway databases. Each service connects as its own broker user with its role's
permissions (shared/access/broker.py), as its Secret baqylau-amqp-<service> makes it in a
cluster; the smoke test's own calls go as the operators' user. Each /readyz answers 200; a
funder, programme and commitment go through the containerised registry; the containerised
reporting learns them from the events; the `baqylau` command inside the reporting container,
run as the operators, issues the funder's token; the funder's report is read over HTTP, and
its PDF made in the container (Pango, fonts) reads back in Kazakh; each
service then exits 0 on SIGTERM within the grace period. Every wait has a deadline;
everything made, the broker users too, is removed on exit."""

# nameko's standalone RPC needs the patched stdlib, before anything else imports sockets.
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import io  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402
from typing import Any, Callable, Iterator  # noqa: E402

import psycopg2  # noqa: E402
import requests  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from scripts.image_plan import Plan, overrides_for, plans, render  # noqa: E402
from scripts.k8s_services import SERVICES  # noqa: E402
from scripts.seed_registry import generate as registry_seed  # noqa: E402
from services.catalogue import entrypoints  # noqa: E402
from shared.access.broker import add_user  # noqa: E402
from shared.access.roles import OPERATORS, SERVICE  # noqa: E402
from shared.calling import ClusterRpcProxy  # noqa: E402

IMAGE = os.environ.get("IMAGE", "localhost/baqylau:dev")
DB_HOST, DB_PORT = "127.0.0.1", int(os.environ.get("DB_PORT", "5433"))
PG_SUPERPASS = os.environ.get("PG_SUPERPASS", "postgres")  # local development cluster only
AMQP = os.environ.get("AMQP_HOSTPORT", "127.0.0.1:5672")
MGMT = os.environ.get("RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
GUEST = ("guest", "guest")
# Host ports 18001-18005, in the order of the usual 8001-8005 (scripts/services.sh) and clear
# of them: every container shares the host's network, so each needs its own.
PORTS = {"training": 18001, "registry": 18002, "equipment": 18003, "assessment": 18004,
         "reporting": 18005}
RUN = secrets.token_hex(4)
# Services that did not end cleanly on SIGTERM within the Deployment's grace period (a pod
# would have been SIGKILLed with workers or the relay's batch unfinished).
UNCLEAN_STOPS: list[str] = []


def log(message: str) -> None:
    print(f"[smoke] {message}", flush=True)


def until(check: Callable[[], Any], what: str, seconds: float) -> Any:
    """Wait for `check()` to be truthy; fail naming what was awaited and for how long."""
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - retried until the deadline, then reported
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(0.5)
    raise SystemExit(f"[smoke] FAILED: {what} not within {seconds:.0f} s (last: {last})")


def admin() -> Any:
    conn = psycopg2.connect(host=DB_HOST, port=DB_PORT, user="postgres", password=PG_SUPERPASS,
                            dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


@contextmanager
def throwaway_databases() -> Iterator[dict[str, str]]:
    """One database per service, owned by its role (as db-init makes them); dropped after."""
    names = {svc: f"smoke_{svc}_{RUN}" for svc in SERVICES}
    conn = until(admin, f"PostgreSQL on {DB_HOST}:{DB_PORT}", 120)
    try:
        with conn.cursor() as cur:
            for svc, name in names.items():
                cur.execute(f'CREATE DATABASE "{name}" OWNER "{svc}"')
        yield names
    finally:
        conn.close()
        # A new connection: the servers may have been restarted meanwhile (shared CI).
        conn = until(admin, "PostgreSQL, to drop the throwaway databases", 60)
        with conn.cursor() as cur:
            for name in names.values():
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
        log(f"dropped databases smoke_*_{RUN}")


@contextmanager
def throwaway_vhost() -> Iterator[str]:
    vhost = f"baqylau_smoke_{RUN}"
    until(lambda: requests.get(f"{MGMT}/api/overview", auth=GUEST, timeout=5).ok,
          f"RabbitMQ's management API on {MGMT}", 120)
    requests.put(f"{MGMT}/api/vhosts/{vhost}", auth=GUEST, timeout=10).raise_for_status()
    try:
        yield vhost
    finally:
        requests.delete(f"{MGMT}/api/vhosts/{vhost}", auth=GUEST, timeout=30)
        log(f"deleted vhost {vhost}")


@contextmanager
def throwaway_principals(vhost: str) -> Iterator[dict[str, tuple[str, str]]]:
    """{"operators" or a service: (its broker user, its AMQP URI on `vhost`)}, each user with
    its role's permissions there, set as `make up` sets the local stack's. Users are
    node-wide and the broker is shared, so each name carries the run's tag; deleted after."""
    session = requests.Session()
    session.auth = GUEST
    api = f"{MGMT}/api"
    roles = {OPERATORS: OPERATORS, **{svc: SERVICE for svc in SERVICES}}
    made: dict[str, tuple[str, str]] = {}
    catalogue = entrypoints()
    try:
        for label, role in roles.items():
            name, password = f"smoke-{RUN}-{label}", secrets.token_urlsafe(18)
            made[label] = (name, f"pyamqp://{name}:{password}@{AMQP}/{vhost}")
            add_user(session, api, vhost, name, password, role, catalogue,
                     service=label if role == SERVICE else None)
        yield made
    finally:
        for name, _ in made.values():
            session.delete(f"{api}/users/{name}", timeout=30)
        log(f"deleted broker users smoke-{RUN}-*")


def podman(*args: str, timeout: float = 120,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, env={**os.environ, **(env or {})})


@contextmanager
def container(plan: Plan) -> Iterator[str]:
    name = f"baqylau-smoke-{plan.service}-{RUN}"
    started = podman(*plan.run_argv(IMAGE, name)[1:])
    if started.returncode:
        podman("rm", "--force", name)  # a container created but not started
        raise SystemExit(f"[smoke] FAILED: starting {plan.service}: {started.stderr}")
    try:
        yield name
    finally:
        # The Deployment's grace period: nameko finishes its workers on SIGTERM.
        begun = time.monotonic()
        podman("stop", f"--time={plan.grace_seconds}", name, timeout=plan.grace_seconds + 30)
        exited = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        took = time.monotonic() - begun
        log(f"{plan.service}: stopped in {took:.1f} s (exit {exited})")
        if exited != "0" or took >= plan.grace_seconds:
            UNCLEAN_STOPS.append(f"{plan.service} (exit {exited} after {took:.0f} s, grace "
                                 f"{plan.grace_seconds} s)")
        podman("rm", "--force", name)


def ready(plan: Plan, name: str) -> None:
    base = f"http://127.0.0.1:{PORTS[plan.service]}"

    def answers(path: str) -> bool:
        state = podman("inspect", "--format", "{{.State.Status}}", name).stdout.strip()
        if state != "running":
            logs = podman("logs", "--tail=30", name)
            raise SystemExit(f"[smoke] FAILED: {plan.service} is {state}; its log:\n"
                             + logs.stdout + logs.stderr)
        return requests.get(base + path, timeout=3).status_code == 200

    until(lambda: answers(plan.health_path), f"{plan.service} {plan.health_path} 200 "
          "(the startup probe's budget)", plan.startup_seconds)
    until(lambda: answers(plan.readiness_path), f"{plan.service} {plan.readiness_path} 200",
          plan.startup_seconds)


def constraints_in_force(plan: Plan, name: str) -> str:
    """What the kernel says of the running service, against what its plan asked for: uid,
    effective capabilities, no_new_privs, a root filesystem that refuses writes, a /tmp
    that takes them."""
    probe = ("import os; s = dict(l.split(':\\t', 1) for l in open('/proc/1/status')); "
             "w = lambda p: os.access(p, os.W_OK); "
             "print(s['Uid'].split()[1], int(s['CapEff'], 16), s['NoNewPrivs'].strip(), "
             "w('/app'), w('/opt/venv'), w('/tmp'))")
    out = podman("exec", name, "python3", "-c", probe).stdout.split()
    found = dict(zip(("uid", "capabilities", "no_new_privs", "app writable",
                      "venv writable", "tmp writable"), out, strict=False))
    options = set(plan.options)
    wanted = {"uid": next(o for o in options if o.startswith("--user="))[7:].split(":")[0]}
    if "--cap-drop=ALL" in options and not any(o.startswith("--cap-add") for o in options):
        wanted["capabilities"] = "0"
    if "--security-opt=no-new-privileges" in options:
        wanted["no_new_privs"] = "1"
    if "--read-only" in options:
        wanted["app writable"] = wanted["venv writable"] = "False"
    if any(o.startswith("--tmpfs=/tmp:") for o in options):
        wanted["tmp writable"] = "True"
    wrong = {key: found.get(key) for key, value in wanted.items() if found.get(key) != value}
    if wrong:
        raise SystemExit(f"[smoke] FAILED: {name}: {wrong}; the manifests ask for {wanted}")
    return ", ".join(f"{key} {value}" for key, value in found.items())


def funder_report_flow(operators_uri: str, reporting: str, reporting_user: str) -> None:
    seed = registry_seed()
    funder, programme, commitment = seed.funders[0], seed.programmes[0], seed.commitments[0]
    with ClusterRpcProxy({"AMQP_URI": operators_uri}, timeout=30) as rpc:
        rpc.registry.register_funder(**funder)
        rpc.registry.launch_programme(**programme)
        rpc.registry.commit_funding(**commitment)
    log(f"registry (container): {funder['funder_id']}, {programme['programme_id']}, "
        f"{commitment['commitment_id']} {commitment['amount_kzt']:,} KZT")

    def issue() -> str:
        # As the operators, as deploy/k8s/README.md runs it: the container's own AMQP_URI is
        # reporting's user, which may not issue tokens. `--env NAME` takes the value from
        # podman's environment, so the password is in no process's arguments.
        done = podman("exec", "--env=AMQP_URI", reporting, "baqylau", "token", "issue",
                      funder["funder_id"], env={"AMQP_URI": operators_uri})
        return done.stdout.strip() if done.returncode == 0 else ""

    token = until(issue, "the funder in reporting's read model (baqylau token issue)", 60)
    # The same command as the container's own user, reporting's: a service may not issue
    # tokens, and the refusal names the principal the broker vouched for.
    refused = podman("exec", reporting, "baqylau", "token", "issue", funder["funder_id"])
    if refused.returncode != 1 or reporting_user not in refused.stderr:
        raise SystemExit(f"[smoke] FAILED: `baqylau token issue` as {reporting_user} was not "
                         f"refused (exit {refused.returncode}): {refused.stderr.strip()}")
    log(f"reporting (container): as its own user, refused: {refused.stderr.strip()}")
    url = (f"http://127.0.0.1:{PORTS['reporting']}/v1/programmes/"
           f"{programme['programme_id']}/report")

    def report() -> dict[str, Any]:
        answer = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        money = answer.json().get("money", {}) if answer.status_code == 200 else {}
        if money.get("committed_kzt") != commitment["amount_kzt"]:
            raise LookupError(f"HTTP {answer.status_code}, money {money}")
        return money

    money = until(report, f"the commitment in the funder's report ({url})", 60)
    log(f"reporting (container): the funder's report over HTTP: committed "
        f"{money['committed_kzt']:,} KZT, budget {money['budget_kzt']:,} KZT")
    # report.pdf is made in the container, read-only root and all: WeasyPrint finds Pango,
    # HarfBuzz and the fonts the image installed, and the Kazakh name reads back.
    began = time.monotonic()
    answer = requests.get(f"{url}.pdf?lang=kk", timeout=120,
                          headers={"Authorization": f"Bearer {token}"})
    text = "" if answer.status_code != 200 else " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    if programme["name_kk"] not in text:
        raise SystemExit(f"[smoke] FAILED: report.pdf: HTTP {answer.status_code}, "
                         f"{answer.text[:300] if answer.status_code != 200 else text[:300]}")
    log(f"reporting (container): report.pdf in {time.monotonic() - began:.1f} s, "
        f"{len(answer.content):,} bytes, the programme's Kazakh name in its text")


def main() -> int:
    started = time.monotonic()
    # SIGTERM (a CI timeout) unwinds like an error, so every container is still removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    objects = render()
    with ExitStack() as stack:
        databases = stack.enter_context(throwaway_databases())
        users = stack.enter_context(throwaway_principals(stack.enter_context(throwaway_vhost())))
        local_secrets = {("baqylau-assessment-pseudonym", "key"): secrets.token_hex(16)}
        local_secrets |= {(f"baqylau-amqp-{svc}", "uri"): users[svc][1] for svc in SERVICES}
        # Locally each role's password is its name (scripts/stack.sh).
        local_secrets |= {(f"baqylau-db-{svc}", "password"): svc for svc in SERVICES}
        service_users = ",".join(users[svc][0] for svc in SERVICES)
        overrides = {svc: overrides_for(svc, databases[svc], f"127.0.0.1:{PORTS[svc]}",
                                        DB_HOST, DB_PORT, users[OPERATORS][0], service_users)
                     for svc in SERVICES}
        running = plans(objects, local_secrets, overrides)
        log(f"{IMAGE}, as deploy/k8s/base runs it: "
            + " ".join(o for o in running["registry"].options if not o.startswith("--env")))
        names = {svc: stack.enter_context(container(plan)) for svc, plan in running.items()}
        for svc, plan in running.items():
            ready(plan, names[svc])
            log(f"{svc}: {plan.readiness_path} 200 on :{PORTS[svc]}; "
                f"{constraints_in_force(plan, names[svc])}")
        log("broker users: " + ", ".join(user for user, _ in users.values()))
        funder_report_flow(users[OPERATORS][1], names["reporting"], users["reporting"][0])
    if UNCLEAN_STOPS:
        raise SystemExit(f"[smoke] FAILED: not stopped cleanly: {', '.join(UNCLEAN_STOPS)}")
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
