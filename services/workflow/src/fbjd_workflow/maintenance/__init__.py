"""Maintenance tickets (运维工单): the rules' device and data findings, worked by the enterprise and its operator."""
