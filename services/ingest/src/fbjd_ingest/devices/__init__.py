"""Devices: data transmission terminals (MN, access password, enterprise psId, intervals, online state)."""
