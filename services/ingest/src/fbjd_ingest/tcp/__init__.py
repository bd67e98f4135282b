"""The HJ 212 TCP server: a thin asyncio shell around the sans-IO codec `hj212`."""
