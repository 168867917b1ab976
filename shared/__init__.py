"""Baqylau shared kernel: configuration, public event contracts, the relay, idempotent
consumption, metrics and health endpoints. Small on purpose: services own their logic."""

from shared.calling import sign_requests  # noqa: E402

sign_requests()  # every RPC request a Baqylau process sends names its broker user
