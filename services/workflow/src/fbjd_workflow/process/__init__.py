"""The disposition process (处置流程): the use cases that span alarms, declarations, timers, tasks, outbox."""
