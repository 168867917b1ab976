"""`baqylau status`: is the platform healthy? Each service's liveness and readiness (its
/healthz and /readyz), each relay's position and lag (its /metrics), reporting's feed backlog
and the dead letters waiting (RabbitMQ's management API). Exit status 1 when anything needs
attention, so a cron job or a probe can run it."""

from __future__ import annotations

from typing import Any

import click
import requests
from prometheus_client.parser import text_string_to_metric_families

from cli.connect import (
    HTTP_TIMEOUT,
    SERVICES,
    START_HINT,
    management_url,
    service_url,
    shown,
    vhost,
)
from cli.errors import FOUND_PROBLEMS
from cli.operations import CONSUMERS
from cli.table import table
from services.reporting.ingest.feed import QUEUE
from shared.poison import dead_letter_queue

RELAY_GAUGES = {"baqylau_relay_position": "relay position", "baqylau_relay_lag_events":
                "relay lag", "baqylau_relay_leader": "leader"}
COLUMNS = ["service", "live", "ready", "relay position", "relay lag", "leader", "url"]


def _get(url: str) -> requests.Response | None:
    try:
        return requests.get(url, timeout=HTTP_TIMEOUT)
    except requests.RequestException:
        return None


def relay_figures(metrics_text: str, service: str) -> dict[str, float]:
    figures = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name in RELAY_GAUGES and sample.labels.get("service") == service:
                figures[RELAY_GAUGES[sample.name]] = sample.value
    return figures


def service_line(service: str, max_lag: int) -> tuple[dict[str, Any], list[str]]:
    """One line of the table and the problems it shows."""
    base = service_url(service)
    line: dict[str, Any] = {"service": service, "url": base, "live": "no", "ready": "-",
                            "relay position": "-", "relay lag": "-", "leader": "-"}
    health = _get(f"{base}/healthz")
    if health is None or health.status_code != 200:
        return line, [f"{service} is not answering on {base}; " + START_HINT.format(service)]
    line["live"] = "yes"
    problems = []
    ready = _get(f"{base}/readyz")
    line["ready"] = "yes" if ready is not None and ready.status_code == 200 else "NO"
    if line["ready"] == "NO":
        body = ready.text.strip()[:200] if ready is not None else "no answer"
        problems.append(f"{service} is not ready: {body}")
    metrics = _get(f"{base}/metrics")
    figures = relay_figures(metrics.text, service) if metrics is not None else {}
    if "relay position" in figures:
        line["relay position"] = int(figures["relay position"])
        line["relay lag"] = int(figures.get("relay lag", 0))
        line["leader"] = "yes" if figures.get("leader") else "no"
        if line["relay lag"] > max_lag:
            problems.append(f"{service}'s relay is {line['relay lag']} events behind")
    return line, problems


def management_problem(base: str) -> str | None:
    """Why RabbitMQ's management API at `base` cannot tell the queues' depths, with what to
    do; None when it can. Silence, refused credentials and a missing vhost differ."""
    where = f"RabbitMQ's management API at {shown(base)}"
    unknown = "the feed backlog and dead letters are unknown"
    answer = _get(f"{base}/api/vhosts/{requests.utils.quote(vhost(), safe='')}")
    if answer is None:
        return (f"RabbitMQ's management API does not answer at {shown(base)}; {unknown}: start "
                "RabbitMQ with `make up`, or set "
                "RABBITMQ_MANAGEMENT_URL")
    if answer.status_code == 401:
        return (f"{where} refused its credentials; {unknown}: set RABBITMQ_MANAGEMENT_URL to an "
                "administrator's (http://USER:PASSWORD@HOST:15672)")
    if answer.status_code == 404:
        return (f"the vhost {vhost()!r} does not exist on the broker; {unknown}: correct the "
                "vhost at the end of AMQP_URI, or have the broker's operator create it "
                f"(`rabbitmqctl add_vhost {vhost()}`)")
    if answer.status_code != 200:
        return f"{where} answered {answer.status_code}; {unknown}"
    return None


def queue_depths() -> dict[str, int] | str:
    """Messages waiting in reporting's feed and in every consumer's dead-letter queue; else
    why they are unknown."""
    base = management_url()
    problem = management_problem(base)
    if problem:
        return problem
    depths = {}
    for queue in (QUEUE, *(dead_letter_queue(c).name for c in CONSUMERS)):
        answer = _get(f"{base}/api/queues/{requests.utils.quote(vhost(), safe='')}/{queue}")
        if answer is None or answer.status_code not in (200, 404):
            return f"RabbitMQ's management API at {shown(base)} stopped answering"
        depths[queue] = int(answer.json().get("messages", 0)) if answer.status_code == 200 \
            else 0
    return depths


@click.command("status")
@click.option("--max-lag", type=int, default=10_000, show_default=True,
              help="Events a relay or reporting's feed may be behind before it counts as a "
              "problem.")
def status(max_lag: int) -> None:
    """Each service live and ready or not, each relay's position and lag, reporting's feed
    backlog and dead letters. Exit status 1 if anything needs attention."""
    lines, problems = [], []
    for service in SERVICES:
        line, found = service_line(service, max_lag)
        lines.append(line)
        problems += found
    click.echo(table(lines, COLUMNS))
    depths = queue_depths()
    if isinstance(depths, str):
        problems.append(depths)
    else:
        letters = {c: depths[dead_letter_queue(c).name] for c in CONSUMERS}
        click.echo(f"\nreporting feed: {depths[QUEUE]} events waiting; dead letters: "
                   + ", ".join(f"{c} {n}" for c, n in letters.items()) + " waiting")
        if depths[QUEUE] > max_lag:
            problems.append(f"reporting's feed is {depths[QUEUE]} events behind")
        for consumer, waiting in letters.items():
            if waiting:
                problems.append(f"{waiting} dead letters wait in {consumer}: see `baqylau "
                                f"dead-letters list --service {consumer}`, fix the cause, "
                                f"then `baqylau dead-letters replay --service {consumer}`")
    if problems:
        click.echo("\nneeds attention:\n" + "\n".join(f"  - {p}" for p in problems))
        raise click.exceptions.Exit(FOUND_PROBLEMS)
    click.echo("\nall well")
