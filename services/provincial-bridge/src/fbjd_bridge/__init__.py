"""fbjd provincial bridge: Outbox to the province's push endpoints, registry sync, the province's read API."""
