"""Security tests across the house: the authorization matrix."""
