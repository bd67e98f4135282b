"""Registry sync: the registry's enterprises, facilities and points in the province's field names."""
