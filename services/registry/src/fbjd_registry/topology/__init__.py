"""topology slice."""
