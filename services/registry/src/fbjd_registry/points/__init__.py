"""points slice."""
