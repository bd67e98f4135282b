"""The upstreams the readings are forwarded to (上级平台: the province, county platforms), parsed from the settings.

FBJD_UPSTREAM_HJ212 is a comma-separated list of `name=host:port` (`province=10.0.0.1:9000,cangxian=10.0.0.2:9000`)
or bare `host:port` entries; a bare entry is named after its address (so a cursor row keyed by the address
before several upstreams existed goes on where it stood). FBJD_UPSTREAM_COUNTIES (`cangxian=130921,…`) limits a
named upstream to one county's terminals (a county platform gets its own county only); the others get every
terminal. The name keys the upstream's cursor row: pointing a name at a new address keeps its position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Upstream", "parse_address", "parse_upstreams"]

_NAME = re.compile(r"^[A-Za-z0-9_.:\[\]-]{1,300}$")
_COUNTY = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Upstream:
    """One upstream: its name (the cursor's key), where it listens, and the county it is limited to (None: all)."""

    name: str
    address: str  # host:port as configured
    host: str
    port: int
    county: str | None = None


def parse_address(address: str) -> tuple[str, int]:
    """`host:port` (`[::1]:9212` for IPv6) → (host, port); ValueError for anything else."""
    host, colon, port = address.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port, got {address!r}")
    return host, int(port)


def _pairs(text: str, what: str) -> list[tuple[str | None, str]]:
    pairs: list[tuple[str | None, str]] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            raise ValueError(f"an empty entry in the {what} list {text!r}")
        name, equals, value = entry.partition("=")
        pairs.append((name.strip(), value.strip()) if equals else (None, entry))
    return pairs


def parse_upstreams(text: str | None, counties: str | None = None) -> list[Upstream]:
    """The configured upstreams, in the order given; ValueError for a malformed entry, a repeated name, or a
    county for an upstream that is not in the list."""
    limited: dict[str, str] = {}
    for name, county in _pairs(counties, "county") if counties else []:
        if name is None or not _COUNTY.match(county):
            raise ValueError(f"expected name=<6-digit county code>, got {county!r}")
        limited[name] = county
    upstreams: list[Upstream] = []
    for name, address in _pairs(text, "upstream") if text else []:
        host, port = parse_address(address)
        key = name if name is not None else address
        if not _NAME.match(key):
            raise ValueError(f"an upstream name is letters, digits, '_', '-', '.' (at most 300), got {key!r}")
        if any(u.name == key for u in upstreams):
            raise ValueError(f"upstream {key!r} is named twice")
        upstreams.append(Upstream(key, address, host, port, limited.get(key)))
    unknown = set(limited) - {u.name for u in upstreams}
    if unknown:
        raise ValueError(f"a county is set for upstreams that are not configured: {sorted(unknown)}")
    return upstreams
