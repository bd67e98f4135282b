"""Consumption (用电量) per point and CST day / month: rollups kept current from the raw readings, and their API."""
