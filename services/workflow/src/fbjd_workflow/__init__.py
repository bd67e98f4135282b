"""fbjd workflow: Alarm disposition, declarations, SLA timers, enforcement tasks and inspection records."""
