"""fbjd rules: Thresholds (declared / learned), rule evaluation and merged abnormal records."""
