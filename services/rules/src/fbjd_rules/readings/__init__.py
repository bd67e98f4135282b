"""readings slice: reading ingest's published view `ingest.readings_v1` (read-only) into power series."""
