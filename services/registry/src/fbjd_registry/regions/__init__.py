"""regions slice."""
