"""forwarding slice: the readings re-sent upstream as an HJ 212 stream (DESIGN.md, data upload; issue 6).

`packets.py` receipt + readings → packets (pure), `tracking.py` which packets are answered and how far the
cursor may move (pure), `link.py` the TCP connection (asyncio), `forwarder.py` the loop, `repository.py` the
queries (ingest's published views and bridge.forward_cursor), `service.py` the status, `routes.py` GET /forwarding.
"""
