"""Request dependencies: the transaction, the caller (cookie session or API key), the tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from channels.http import scopes
from domain.auth import api_keys
from domain.auth import service as auth
from domain.auth.models import User, UserSession
from domain.auth.security import same_secret
from domain.db import use_tenant
from domain.errors import DomainError, Forbidden, Unauthorized
from domain.settings import Settings
from domain.tenancy import TenantContext

SESSION_COOKIE = "cadence_session"
CSRF_COOKIE = "cadence_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent."""
    async with request.app.state.sessions() as session:
        try:
            yield session
        except DomainError as exc:
            await (session.commit() if exc.keeps_changes else session.rollback())
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


def get_now() -> datetime:
    return datetime.now(UTC)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DB = Annotated[AsyncSession, Depends(get_db, scope="function")]
Now = Annotated[datetime, Depends(get_now)]
AppSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Caller:
    tenant: TenantContext | None
    user: User | None = None
    user_session: UserSession | None = None
    session_token: str | None = None


async def get_caller(request: Request, db: DB, now: Now) -> Caller:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.startswith(api_keys.KEY_PREFIX):
            raise Unauthorized("Use 'Authorization: Bearer <API key>' or log in.")
        key_tenant = await api_keys.authenticate_api_key(db, raw=credential.strip(), now=now)
        scopes.require(request, key_tenant)
        return Caller(tenant=key_tenant)

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("Not logged in.")
    user, user_session = await auth.resolve_session(db, token=token, now=now)
    if request.method not in SAFE_METHODS and not same_secret(
        request.headers.get(CSRF_HEADER, ""), user_session.csrf_token
    ):
        raise Forbidden("Missing or wrong {csrf_header} header.", values={"csrf_header": CSRF_HEADER})
    tenant: TenantContext | None = None
    if user_session.active_organization_id is not None:
        membership = await auth.membership_in(db, user_id=user.id, org_id=user_session.active_organization_id)
        if membership is not None:
            tenant = membership.tenant(user.id)
            await use_tenant(db, tenant)
    return Caller(tenant=tenant, user=user, user_session=user_session, session_token=token)


CurrentCaller = Annotated[Caller, Depends(get_caller)]


async def get_tenant(caller: CurrentCaller) -> TenantContext:
    if caller.tenant is None:
        raise Forbidden("Choose or create an organization first.")
    return caller.tenant


@dataclass(frozen=True)
class LoggedIn:
    user: User
    user_session: UserSession
    token: str


async def get_logged_in(caller: CurrentCaller) -> LoggedIn:
    """Account endpoints are for people: an API key cannot create organizations or accept invites."""
    if caller.user is None or caller.user_session is None or caller.session_token is None:
        raise Forbidden("This needs a logged-in user, not an API key.")
    return LoggedIn(user=caller.user, user_session=caller.user_session, token=caller.session_token)


Tenant = Annotated[TenantContext, Depends(get_tenant)]
Person = Annotated[LoggedIn, Depends(get_logged_in)]
