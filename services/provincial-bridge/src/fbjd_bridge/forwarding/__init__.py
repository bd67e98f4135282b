"""forwarding slice: the readings re-sent upstream as an HJ 212 stream (DESIGN.md, data upload; issue 6).

`targets.py` the upstreams of the settings (the province, county platforms), `packets.py` receipt + readings →
packets (pure), `tracking.py` which packets are answered and how far the cursor may move (pure), `link.py` the
TCP connection (asyncio), `forwarder.py` the loop of one upstream, `repository.py` the queries (ingest's
published views in commit order and bridge.forward_cursor), `service.py` the status, `routes.py` GET /forwarding.
"""
