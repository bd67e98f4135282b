"""findings slice: operations findings (device and data) and threshold findings, not pushed to workflow."""
