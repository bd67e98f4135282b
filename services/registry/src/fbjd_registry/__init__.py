"""fbjd registry: Enterprises, facilities, monitoring points, production↔treatment links, control plans, onboarding and acceptance."""
