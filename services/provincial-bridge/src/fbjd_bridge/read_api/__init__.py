"""The province's read API (machine client, role province): what was pushed, its disposition, the registry."""
