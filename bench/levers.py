"""For each goal of the bench's table: the phase whose profile shows where its time goes, and
the next lever known for it, printed under the table when a run misses the goal. The
measurements behind each lever are in bench/README.md; keep the two in step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lever:
    title: str
    phase: str | None  # the profile to read (bench/profiles.py); None: the bench has none
    next: str
    unprofiled: str = ""


LEVERS: dict[str, Lever] = {
    "score_rows": Lever(
        "score import, scores/s beside a bare INSERT of the same rows", "score-import",
        "assessment stores each sheet through its eventsourcing save (a record per score in "
        "one event); reporting projects the sheet's scores with one statement. Next: COPY of "
        "a sheet's scores into a staging table, and assessment's commands grouped per commit "
        "as the other services' are"),
    "score_events": Lever(
        "score import, sheet events/s beside consume + ack of messages of the same size",
        "score-import",
        "a sheet event is a command's worth of work (about 200 scores validated, stored, "
        "published, projected); the chain is bounded by the record_scores commands, not by "
        "the feed, so this line moves with the scores/s line"),
    "enrol": Lever(
        "one RPC command (enrol) beside a bare nameko ping", "rpc-command",
        "training, the registry and their client share the bench's process here: split the "
        "client into its own process first, then cut the command's Python (validation, the "
        "public record made at save, the reply's serialisation)"),
    "access": Lever(
        "enrol with its access check beside the same enrol without it", "rpc-command",
        "the check itself is a few dict lookups once the course's programme is known to the "
        "process: timed inside the running service it took 6.6 µs a call, 0.2-0.4 % of a "
        "command's CPU (bench/README.md). A miss larger than that is the rounds' spread "
        "(printed under the table): rerun with nothing else on the machine, or with more "
        "BENCH_CALLS, before changing the check. If the profile names `check` or "
        "`Scope.programme`, the course's programme is being resolved again instead of taken "
        "from the process's cache (shared/access/caller.py, Scope)"),
    "relay": Lever(
        "relay publish beside a bare kombu publish", "relay",
        "the envelope's JSON written from the stored record as text, not decoded and "
        "encoded again"),
    "bulk": Lever(
        "bulk load visible in the read model beside consume + ack", "bulk-load-2",
        "the relay is the slower end and there can be only one (one lock holder keeps the "
        "order), so its per-event cost must fall: the envelope sent as its stored text; "
        "reporting's per-column arrays built without a Python loop per event"),
    "lag": Lever(
        "projection lag at 1,000 events/s", None,
        "as for the lag at 5,000 events/s",
        unprofiled="this window is not profiled; the one at 5,000 events/s is (lag-fast)"),
    "lag_fast": Lever(
        "projection lag at 5,000 events/s", "lag-fast",
        "on 2 cores the whole pipeline carries about 3,000 events/s (the bulk load's visible "
        "rate), so 5,000 a second piles up whatever the lag: the relay's and the feed's "
        "per-event cost first (as for the bulk load); then a second writer process, since "
        "the bench's one reaches only 2,300-3,100 events/s"),
    "rebuild": Lever(
        "rebuild of the read model beside a sequential read", "rebuild",
        "the source's notifications page sent as its stored JSON text spliced together and "
        "decoded once; COPY of a page into a staging table, projected by one statement per "
        "fact type; the first-seen check of each fact done in SQL"),
    "export": Lever(
        "funder exports at 50 connections beside a static endpoint", "http",
        "each cached export still makes one statement (token, live schema, version, "
        "visibility) on a pooled connection; the static endpoint makes none. Next: the access "
        "answer kept per process for about a second, a trade-off with revocation (a revoked "
        "token would stop within that second on the other replicas), not taken here"),
    "dashboard": Lever(
        "the dashboard at 50 connections beside a static endpoint", "http",
        "a drawn page is served after the one statement that settles the session, as an "
        "export is; what is left is the same statement, and a whole HTML page with its charts "
        "written where the static endpoint writes a few bytes: as for the exports"),
    "past_moment": Lever(
        "a report as of a new past moment", "past",
        "the report's SQL over the as-of views; an index per fact on its event time"),
    "past_sql": Lever(
        "the report's SQL as of a past moment beside the live SQL", "past",
        "the as-of views read facts by event time: an index per fact on it"),
    "event_pages": Lever(
        "a page of a figure's events", "past",
        "event pages read in log order from an index on the fact's event, not sorted "
        "after the filter"),
    "memory": Lever(
        "memory of the services", None,
        "the bench samples RSS only; a heap profile (tracemalloc) of the largest service",
        unprofiled="RSS is sampled, not profiled"),
}
