"""control slice."""
