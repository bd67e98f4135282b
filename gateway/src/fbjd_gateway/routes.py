"""`/api/auth`: tokens (OAuth2 password and client-credentials grants), the caller's identity,
account administration and password changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fbjd_core.auth import Principal, PrincipalDep, Role, issue_token, require_roles
from fbjd_core.db import SessionDep
from fbjd_core.errors import FbjdError, Unauthorized
from pydantic import BaseModel, Field

from fbjd_gateway.accounts import authenticate, change_password, create_account, list_accounts
from fbjd_gateway.config import Settings
from fbjd_gateway.passwords import check_strength

__all__ = ["router"]

router = APIRouter(prefix="/api/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    must_change_password: bool = False


class UnsupportedGrant(FbjdError):
    code, status = "unsupported_grant_type", 400


class AccountIn(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str
    role: Role
    county: str | None = Field(default=None, max_length=12)
    enterprise_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    machine: bool = False


class AccountOut(BaseModel):
    username: str
    role: str
    county: str | None
    enterprise_id: str | None
    machine: bool
    active: bool


class PasswordChange(BaseModel):
    old_password: str
    new_password: str


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("/token", response_model=TokenResponse)
async def token(
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form()] = "password",
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> TokenResponse:
    """OAuth2 token endpoint: `password` grant for people, `client_credentials` for machine clients
    (the province's platform, the mobile enforcement system)."""
    if grant_type == "password":
        name, secret, machine = username, password, False
    elif grant_type == "client_credentials":
        name, secret, machine = client_id, client_secret, True
    else:
        raise UnsupportedGrant(f"grant_type {grant_type!r} is not supported (password, client_credentials)")
    if not name or not secret:
        raise Unauthorized("credentials missing")
    try:
        principal, must_change = await authenticate(
            session,
            username=name,
            password=secret,
            machine=machine,
            max_failures=settings.max_failed_logins,
            lockout=timedelta(minutes=settings.lockout_minutes),
        )
    except FbjdError:
        await session.commit()  # keep the failure count even though the login is refused
        raise
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    access = issue_token(principal, secret=settings.jwt_secret.get_secret_value(), ttl=ttl)
    return TokenResponse(
        access_token=access,
        expires_in=int(ttl.total_seconds()),
        role=principal.role.value,
        must_change_password=must_change,
    )


@router.get("/me")
async def me(principal: PrincipalDep) -> dict[str, str | None]:
    """Who the bearer token says the caller is."""
    return {
        "subject": principal.subject,
        "role": principal.role.value,
        "county": principal.county,
        "enterprise_id": principal.enterprise_id,
    }


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def add_account(
    body: AccountIn, session: SessionDep, _admin: Annotated[Principal, Depends(require_roles(Role.ADMIN))]
) -> AccountOut:
    """Create an account (admin only). People must change this initial password at first login."""
    if not body.machine:
        check_strength(body.password, username=body.username)
    account = await create_account(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        county=body.county,
        enterprise_id=body.enterprise_id,
        machine=body.machine,
        must_change_password=not body.machine,
    )
    return AccountOut(
        username=account.username,
        role=account.role,
        county=account.county,
        enterprise_id=account.enterprise_id,
        machine=account.is_machine,
        active=account.is_active,
    )


@router.get("/accounts", response_model=list[AccountOut])
async def accounts(
    session: SessionDep, _admin: Annotated[Principal, Depends(require_roles(Role.ADMIN))]
) -> list[AccountOut]:
    return [
        AccountOut(
            username=a.username,
            role=a.role,
            county=a.county,
            enterprise_id=a.enterprise_id,
            machine=a.is_machine,
            active=a.is_active,
        )
        for a in await list_accounts(session)
    ]


@router.post("/password", status_code=204)
async def new_password(body: PasswordChange, session: SessionDep, principal: PrincipalDep) -> None:
    """Change one's own password: the old one must be right, the new one strong and different."""
    check_strength(body.new_password, username=principal.subject)
    await change_password(session, username=principal.subject, old=body.old_password, new=body.new_password)
