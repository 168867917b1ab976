"""The operators' RPC: funders' tokens, catch-up, reconciliation, rebuild. The dead letters'
RPC is every consumer's (shared/dead_letters.py), mixed in by service.py."""

from __future__ import annotations

from typing import Any, Iterator

from services.reporting.api import tokens
from services.reporting.api.requests import (
    IssueToken,
    ListTokens,
    RevokeToken,
    TokenView,
)
from services.reporting.figures import reconcile
from services.reporting.ingest import logs, tables
from services.reporting.ingest.tables import q
from shared.commands import command
from shared.contracts.envelope import Envelope
from shared.errors import NotFound
from shared.validation import load


class AdminRpc:
    """Mixed into the service: `self.read_model` is its ReadModel."""

    @command
    def issue_token(self, **payload: Any) -> dict[str, str]:
        """Issue a bearer token for a funder the read model knows. The token is shown once;
        only its hash is stored. Reply: {"token_id": "tok_...", "funder_id": "...", "token"}"""
        funder_id = load(IssueToken(), payload)["funder_id"]
        with self.read_model.cursor() as cur:
            cur.execute(f"SELECT 1 FROM {tables.current(cur)}.funders WHERE funder_id = %s",
                        (funder_id,))
            if cur.fetchone() is None:
                raise NotFound(f"funder {funder_id} not found",
                               {"funder_id": [f"No funder {funder_id} in the read model."]})
            return tokens.issue(cur, funder_id)

    @command
    def revoke_token(self, **payload: Any) -> dict[str, Any]:
        token_id = load(RevokeToken(), payload)["token_id"]
        with self.read_model.cursor() as cur:
            if not tokens.revoke(cur, token_id):
                raise NotFound(f"token {token_id} not found or already revoked")
        return {"token_id": token_id, "revoked": True}

    @command
    def list_tokens(self, **payload: Any) -> dict[str, Any]:
        """Every live token (with `include_revoked`, revoked ones too), optionally of one
        funder; never the token or its hash. Reply: {"tokens": [{"token_id": "tok_...",
        "funder_id": "amanat", "created_at": "...", "last_used_at": null, "revoked_at":
        null}]}"""
        query = load(ListTokens(), payload)
        with self.read_model.cursor() as cur:
            found = tokens.listed(cur, query["funder_id"], query["include_revoked"])
        return {"tokens": TokenView(many=True).dump(found)}

    @command
    def catch_up(self) -> dict[str, int]:
        """Read every source's log now (as the periodic catch-up does); idempotent."""
        ingestion = self.read_model.ingestion
        return logs.catch_up(self.read_model.amqp_uri, self.read_model.dsn,
                             self.read_model.sources, readable=ingestion.versions.readable,
                             too_new=ingestion.too_new)

    @command
    def reconcile(self) -> dict[str, Any]:
        """Recompute every indicator of every programme from the services' logs and compare
        with the read model. Reply: {"events_read": n, "programmes": [...],
        "differences": []} — each difference names programme, indicator and both values."""
        read = [0]

        def counted(envelopes: Iterator[Envelope]) -> Iterator[Envelope]:
            for envelope in envelopes:
                read[0] += 1
                yield envelope

        # The logs first, a page at a time, with no transaction open meanwhile.
        fold = reconcile.folded(counted(logs.stream_logs(
            self.read_model.amqp_uri, self.read_model.sources,
            readable=self.read_model.ingestion.versions.readable)))
        with self.read_model.cursor() as cur:
            schema = tables.current(cur)
            cur.execute(q("SELECT programme_id FROM {s}.programmes ORDER BY 1", schema))
            programmes = [row[0] for row in cur.fetchall()]
            found = reconcile.compare(fold, cur, programmes, schema)
        return {"events_read": read[0], "programmes": programmes, "differences": found}

    @command
    def rebuild(self) -> dict[str, Any]:
        """Build the whole read model afresh from the services' logs in a new schema beside
        the live one, switch to it in one transaction and drop the old one. The endpoints
        keep answering from the old model until the switch. Reply: {"schema": "rm_...",
        "replaced": "rm", "events_applied": 5901, "seconds": 3.2}"""
        return self.read_model.ingestion.rebuild()

