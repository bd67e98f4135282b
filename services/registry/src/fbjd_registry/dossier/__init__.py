"""dossier slice: the enterprise dossier (一企一档), its sections and their files."""
