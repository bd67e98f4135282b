"""thresholds slice: learning on/off thresholds from data, proposals, and accepting them into the registry."""
