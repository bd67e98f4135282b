"""Outbox (发件箱): messages to other systems written in the transaction of the change they report."""
