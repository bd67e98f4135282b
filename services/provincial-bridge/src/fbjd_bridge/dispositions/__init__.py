"""Disposition results from the workflow (the city's review, the inspection), kept for the province to read."""
