"""Security events: packets refused because of a wrong access password, and the like."""
