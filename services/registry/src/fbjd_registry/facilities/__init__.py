"""facilities slice."""
