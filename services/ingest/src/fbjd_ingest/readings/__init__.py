"""Readings: what terminals uploaded, one row per (MN, CN, factor code, DataTime), in day partitions."""
