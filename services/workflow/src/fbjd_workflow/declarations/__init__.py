"""Declarations (申报): before an alarm (提前申报, approved by the city) and after it (事后申报, with evidence)."""
