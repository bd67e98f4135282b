"""links slice."""
