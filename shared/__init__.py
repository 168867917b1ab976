"""Baqylau shared kernel: configuration, public event contracts, the relay, idempotent
consumption, metrics and health endpoints. Small on purpose: services own their logic."""
