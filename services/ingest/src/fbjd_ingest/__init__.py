"""fbjd ingest: HJ 212 TCP server and HTTP ingest: devices (MN, password, online state) and readings."""
