"""The outbox to the province: one row per record version to push, drained in order per enterprise."""
