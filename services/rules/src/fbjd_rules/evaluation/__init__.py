"""evaluation slice: what changed (notifications, sweep), the registry as of a time, and the evaluation flow."""
