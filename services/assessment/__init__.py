"""Assessment: rounds and pupils' scores at scale, pseudonymous by design."""
