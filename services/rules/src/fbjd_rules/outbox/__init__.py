"""outbox slice: record changes waiting to be delivered to the workflow service."""
