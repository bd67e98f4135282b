"""changes slice."""
