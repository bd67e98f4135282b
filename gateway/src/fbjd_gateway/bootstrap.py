"""The first administrator of a deployment, since outside demo mode there is no default account.

    DATABASE_URL=postgresql://… python -m fbjd_gateway.bootstrap USERNAME   # password read from stdin

It works only while no admin account exists (later ones are created by an admin at POST /api/auth/accounts),
checks the password rules, marks the password as initial (to be changed at first login) and writes
`account.create` to the audit log with actor `system:bootstrap`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.errors import Conflict, FbjdError
from sqlalchemy import select

from fbjd_gateway.accounts import create_account
from fbjd_gateway.models import Account
from fbjd_gateway.passwords import check_strength

__all__ = ["create_first_admin", "main"]


async def create_first_admin(database_url: str, *, username: str, password: str) -> None:
    check_strength(password, username=username)
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            existing = await session.scalar(select(Account.username).where(Account.role == Role.ADMIN.value).limit(1))
            if existing is not None:
                raise Conflict(f"an admin account exists already ({existing!r}): create further accounts through it")
            await create_account(
                session,
                username=username,
                password=password,
                role=Role.ADMIN,
                must_change_password=True,
                actor="system:bootstrap",
            )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fbjd_gateway.bootstrap", description=__doc__.split("\n")[0])
    parser.add_argument("username")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or os.environ.get("FBJD_DATABASE_URL")
    if not database_url:
        parser.error("DATABASE_URL is not set")
    password = getpass.getpass("initial password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        asyncio.run(create_first_admin(database_url, username=args.username, password=password))
    except FbjdError as exc:
        sys.stderr.write(f"refused: {exc.message}\n")
        return 1
    sys.stdout.write(f"admin account {args.username!r} created; its password must be changed at first login\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
