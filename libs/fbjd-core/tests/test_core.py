"""The shared kit: DSN normalising, tokens and scopes, the clock, ids, secret scrubbing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fbjd_core.auth import Principal, Role, decode_token, issue_token
from fbjd_core.errors import Unauthorized
from fbjd_core.ids import is_epc_mn, new_id
from fbjd_core.logging import scrub
from fbjd_core.settings import async_dsn, asyncpg_dsn
from fbjd_core.time import CST, fixed_clock, from_cst, now, to_cst


@pytest.mark.parametrize(
    "url",
    ["postgres://u@h:5432/db", "postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"],
)
def test_any_postgres_url_becomes_asyncpg(url: str) -> None:
    assert async_dsn(url) == "postgresql+asyncpg://u@h:5432/db"


def test_a_non_postgres_url_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="only PostgreSQL"):
        async_dsn("mysql://u@h/db")


def test_a_token_carries_role_and_scope_and_round_trips() -> None:
    principal = Principal(subject="e1", role=Role.ENTERPRISE, enterprise_id="a" * 32)
    token = issue_token(principal, secret="s", ttl=timedelta(minutes=5))
    assert decode_token(token, secret="s") == principal


def test_an_expired_token_is_refused() -> None:
    principal = Principal(subject="c", role=Role.CITY)
    token = issue_token(
        principal, secret="s", ttl=timedelta(minutes=5), issued_at=datetime.now(UTC) - timedelta(hours=1)
    )
    with pytest.raises(Unauthorized, match="expired"):
        decode_token(token, secret="s")


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token(Principal(subject="c", role=Role.CITY), secret="other", ttl=timedelta(minutes=5))
    with pytest.raises(Unauthorized):
        decode_token(token, secret="s")


def test_an_enterprise_sees_only_itself_and_a_county_only_its_county() -> None:
    enterprise = Principal(subject="e", role=Role.ENTERPRISE, enterprise_id="a" * 32)
    county = Principal(subject="c", role=Role.COUNTY, county="130921")
    assert enterprise.can_see(enterprise_id="a" * 32)
    assert not enterprise.can_see(enterprise_id="b" * 32)
    assert county.can_see(county="130921")
    assert not county.can_see(county="130922")
    assert Principal(subject="x", role=Role.CITY).can_see(enterprise_id="b" * 32)


def test_the_clock_is_utc_aware_and_can_be_fixed() -> None:
    assert now().tzinfo is not None
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with fixed_clock(lambda: moment):
        assert now() == moment
    assert now() != moment


def test_terminal_wall_clock_is_china_standard_time() -> None:
    utc = from_cst(datetime(2026, 3, 1, 8, 0, 0))
    assert utc == datetime(2026, 3, 1, 0, 0, 0, tzinfo=UTC)
    assert to_cst(utc).hour == 8 and to_cst(utc).tzinfo == CST


def test_ids_sort_by_creation_time() -> None:
    ids = [new_id() for _ in range(50)]
    assert ids == sorted(ids)
    assert ids[0].version == 7


def test_a_standard_mn_is_24_upper_hex() -> None:
    assert is_epc_mn("010000A8900016F000169DC0")
    assert not is_epc_mn("ZX00001")


def test_passwords_and_tokens_are_scrubbed_from_logs() -> None:
    line = "QN=1;ST=44;CN=2051;PW=123456;MN=X;CP=&&NewPW=654321&& Authorization: Bearer abc.def.ghi"
    assert scrub(line) == "QN=1;ST=44;CN=2051;PW=***;MN=X;CP=&&NewPW=***&& Authorization: Bearer ***"


@pytest.mark.parametrize("url", ["postgres://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"])
def test_any_postgres_url_becomes_a_plain_one_for_asyncpg(url: str) -> None:
    assert asyncpg_dsn(url) == "postgresql://u@h:5432/db"
