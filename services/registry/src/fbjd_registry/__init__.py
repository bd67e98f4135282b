"""fbjd registry: Enterprises, facilities, points, production↔treatment links, control plans, acceptance."""
