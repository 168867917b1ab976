"""Equipment: digital cabinets from allocation to commissioning, exact to the tenge."""
