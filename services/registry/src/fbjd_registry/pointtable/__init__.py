"""pointtable slice."""
