"""Registry: schools and other organisations, programmes, funders, targets, commitments."""
