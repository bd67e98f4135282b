"""Registry push: the registry sync's changes sent to a configured target, acknowledged by a cursor."""
