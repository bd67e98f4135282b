"""enterprises slice."""
