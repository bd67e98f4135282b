"""Alarms (报警): one per abnormal record from the rules, walked through the disposition process."""
