"""Abnormal records as the rules service sends them (one row per record, its latest version)."""
