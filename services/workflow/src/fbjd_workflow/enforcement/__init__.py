"""Enforcement (执法核查): tasks for the mobile enforcement system (移动执法系统) and inspection records."""
