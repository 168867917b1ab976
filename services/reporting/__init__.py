"""Reporting: a read model for each funder, exactly once, always rebuildable."""
