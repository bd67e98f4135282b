"""Fixtures of the fault tests: a fresh database per test, beside the session's, dropped afterwards; the processes
a test starts, stopped whatever its outcome."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fbjd_testing.plugin import own_database

from .processes import ServiceProcess


@pytest.fixture
def fresh_database_url(database_url: str) -> Iterator[str]:
    """A database of its own for one test on the server of the session's database (FBJD_TEST_DATABASE_URL's, or
    the embedded one); dropped at the end, whatever the outcome."""
    with own_database(database_url, "fbjd_chaos") as url:
        yield url


@pytest.fixture
def services() -> Iterator[list[ServiceProcess]]:
    """The service processes a test starts (append them); stopped at the end, whatever the outcome."""
    started: list[ServiceProcess] = []
    yield started
    for service in started:
        service.stop()
