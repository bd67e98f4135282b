"""Tamper-evident history (防篡改处置记录): hash chains over alarm and ticket events, and their verification."""
