"""Overview figures for dashboards: devices online now, today's online rate, this month's transmission rate."""
