"""Monitoring points (监测点位) as charts and dashboards see them: power curves and live state."""
