"""documents slice: files kept for the acceptance process and the enterprise dossier."""
