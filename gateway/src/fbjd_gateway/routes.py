"""`/api/auth`: tokens (OAuth2 password and client-credentials grants, refresh within the idle time-out),
the caller's identity, account administration and password changes. Every change is audited (`audit.py`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fbjd_core.auth import Principal, Role, issue_token, require_roles
from fbjd_core.db import SessionDep
from fbjd_core.errors import FbjdError, Unauthorized
from pydantic import BaseModel, Field

from fbjd_gateway import audit
from fbjd_gateway.accounts import (
    authenticate,
    change_password,
    create_account,
    list_accounts,
    refreshable,
    reset_password,
    update_account,
)
from fbjd_gateway.config import Settings
from fbjd_gateway.models import Account
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


class ScopeRequired(FbjdError):
    code, status = "scope_required", 422


#: Any signed-in principal (the rule is explicit so the authorization matrix sees it); the administrator.
Anyone = Annotated[Principal, Depends(require_roles(*Role))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


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


class AccountUpdate(BaseModel):
    """Fields left out stay as they are; `county` / `enterprise_id` may be set to null."""

    role: Role | None = None
    county: str | None = Field(default=None, max_length=12)
    enterprise_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    active: bool | None = None


class PasswordChange(BaseModel):
    old_password: str
    new_password: str


class PasswordReset(BaseModel):
    password: str


def _check_scope(role: Role | str, county: str | None, enterprise_id: str | None) -> None:
    """A county account needs its county, an enterprise account its psId (the services scope by them)."""
    if role == Role.COUNTY and not county:
        raise ScopeRequired("县级账号须指定县(区)代码 (a county account needs `county`)")
    if role == Role.ENTERPRISE and not enterprise_id:
        raise ScopeRequired("企业账号须指定企业 psId (an enterprise account needs `enterprise_id`)")


def _account_out(account: Account) -> AccountOut:
    return AccountOut(
        username=account.username,
        role=account.role,
        county=account.county,
        enterprise_id=account.enterprise_id,
        machine=account.is_machine,
        active=account.is_active,
    )


def _actor(principal: Principal) -> str:
    return f"{principal.role.value}:{principal.subject}"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("/token", response_model=TokenResponse)
async def token(
    request: Request,
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
            ip=request.client.host if request.client else None,
        )
    except FbjdError:
        await session.commit()  # keep the failure count and its audit line even though the login is refused
        raise
    return _token_response(principal, settings, must_change)


def _token_response(principal: Principal, settings: Settings, must_change: bool) -> TokenResponse:
    """A token living `jwt_ttl_minutes`: the idle time-out, since a client that is used refreshes it."""
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    access = issue_token(principal, secret=settings.jwt_secret.get_secret_value(), ttl=ttl)
    return TokenResponse(
        access_token=access,
        expires_in=int(ttl.total_seconds()),
        role=principal.role.value,
        must_change_password=must_change,
    )


@router.post("/refresh", response_model=TokenResponse)
async def refresh(request: Request, session: SessionDep, settings: SettingsDep, principal: Anyone) -> TokenResponse:
    """A still-valid token for a new one with a fresh expiry (idle session time-out, 会话空闲超时): a session
    left alone for `jwt_ttl_minutes` expires. The account must still exist and be active; the new token
    carries its current role and scope."""
    current, must_change = await refreshable(session, username=principal.subject)
    ip = request.client.host if request.client else None
    await audit.append(session, kind="token.refresh", actor=current.subject, subject=current.subject, detail={"ip": ip})
    return _token_response(current, settings, must_change)


@router.get("/me")
async def me(principal: Anyone) -> dict[str, str | None]:
    """Who the bearer token says the caller is."""
    return {
        "subject": principal.subject,
        "role": principal.role.value,
        "county": principal.county,
        "enterprise_id": principal.enterprise_id,
    }


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def add_account(body: AccountIn, session: SessionDep, admin: Admin) -> AccountOut:
    """Create an account (admin only). People must change this initial password at first login."""
    if not body.machine:
        check_strength(body.password, username=body.username)
    _check_scope(body.role, body.county, body.enterprise_id)
    account = await create_account(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        county=body.county,
        enterprise_id=body.enterprise_id,
        machine=body.machine,
        must_change_password=not body.machine,
        actor=_actor(admin),
    )
    return _account_out(account)


@router.get("/accounts", response_model=list[AccountOut])
async def accounts(session: SessionDep, _admin: Admin) -> list[AccountOut]:
    return [_account_out(a) for a in await list_accounts(session)]


@router.patch("/accounts/{username}", response_model=AccountOut)
async def change_account(username: str, body: AccountUpdate, session: SessionDep, admin: Admin) -> AccountOut:
    """Change an account's role, scope or whether it is active (admin only; audited before → after)."""
    changes: dict[str, object] = {}
    fields = body.model_dump(exclude_unset=True)
    if "role" in fields and body.role is not None:
        changes["role"] = body.role.value
    for name in ("county", "enterprise_id"):
        if name in fields:
            changes[name] = fields[name]
    if "active" in fields and body.active is not None:
        changes["is_active"] = body.active
    account = await update_account(session, username=username, changes=changes, actor=_actor(admin))
    _check_scope(account.role, account.county, account.enterprise_id)
    return _account_out(account)


@router.post("/accounts/{username}/password", status_code=204)
async def reset_account_password(username: str, body: PasswordReset, session: SessionDep, admin: Admin) -> None:
    """Set a new initial password (admin only): a person must change it at the next login."""
    check_strength(body.password, username=username)
    await reset_password(session, username=username, password=body.password, actor=_actor(admin))


@router.post("/password", status_code=204)
async def new_password(body: PasswordChange, session: SessionDep, principal: Anyone) -> None:
    """Change one's own password: the old one must be right, the new one strong and different."""
    check_strength(body.new_password, username=principal.subject)
    await change_password(session, username=principal.subject, old=body.old_password, new=body.new_password)
