"""Quarantine: packets from unknown MNs (and packets that cannot be stored as readings), kept raw, never dropped."""
