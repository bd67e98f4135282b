"""Rule 1's stretches of one enterprise judged on demand (read-only): the province's review, 附件4 §4 (1)."""
