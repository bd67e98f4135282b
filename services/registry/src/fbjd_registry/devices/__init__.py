"""devices slice."""
