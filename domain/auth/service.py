"""Accounts and login sessions: sign-up, login with rate limiting, session lookup, logout."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth.models import LoginAttempt, User, UserSession
from domain.auth.schemas import Membership
from domain.auth.security import (
    check_password_policy,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from domain.contact import require_email
from domain.errors import Conflict, NotFound, TooManyRequests, Unauthorized
from domain.tenancy import TenantContext

SESSION_TOUCH_INTERVAL = timedelta(minutes=5)


class InvalidCredentials(Unauthorized):
    keeps_changes = True  # the failed attempt must stay recorded for rate limiting


@dataclass(frozen=True)
class AuthPolicy:
    session_ttl: timedelta = timedelta(days=14)
    login_window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5  # from one address: another address is counted apart
    max_failures_per_ip: int = 30
    # Across every address: past this many failures an account takes logins only from addresses it
    # has logged in from before, so guessing from many addresses stops while the owner still gets in.
    max_failures_per_account_everywhere: int = 20
    familiar_for: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class LoginResult:
    user: User
    user_session: UserSession
    token: str  # the raw cookie value; only its hash is stored


async def signup(session: AsyncSession, *, email: str, password: str, name: str | None) -> User:
    email = require_email(email)
    check_password_policy(password, email=email)
    if await find_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", details={"field": "email"})
    user = User(email=email, name=(name or "").strip() or None, password_hash=hash_password(password))
    session.add(user)
    await session.flush()
    return user


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email.lower()))).scalar_one_or_none()


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
    now: datetime,
    policy: AuthPolicy,
    previous_token: str | None = None,
) -> LoginResult:
    email = email.strip().lower()
    await _check_rate_limits(session, email=email, ip=ip, now=now, policy=policy)
    user = await find_user_by_email(session, email)
    valid = verify_password(password, user.password_hash if user else None)
    if not valid or user is None or user.disabled_at is not None:
        session.add(LoginAttempt(email=email, ip=ip, succeeded=False, created_at=now))
        await session.flush()
        raise InvalidCredentials("Wrong email or password.")
    session.add(LoginAttempt(email=email, ip=ip, succeeded=True, created_at=now))
    if previous_token:  # rotation: a login never keeps an earlier session alive
        await logout(session, token=previous_token, now=now)
    memberships = await list_memberships(session, user_id=user.id)
    token = new_token()
    user_session = UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        csrf_token=new_token(),
        active_organization_id=memberships[0].organization_id if memberships else None,
        expires_at=now + policy.session_ttl,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(user_session)
    await session.flush()
    return LoginResult(user=user, user_session=user_session, token=token)


# Logins from one address (or, without one, for one email) take this transaction-scoped lock first,
# so counting the recent failures, checking the password and recording the failure happen one request
# at a time: 40 concurrent wrong passwords check at most the limit, not 40. The lock ends with the
# transaction, after the failure is committed. Serialising one address's logins is the point.
_LOGIN_LOCK_NAMESPACE = 0x10C1  # the first key of pg_advisory_xact_lock(int, int): logins only


async def _lock_login_key(session: AsyncSession, *, email: str, ip: str | None) -> None:
    key = f"ip:{ip}" if ip is not None else f"email:{email}"
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:key))"),
        {"namespace": _LOGIN_LOCK_NAMESPACE, "key": key},
    )


async def _check_rate_limits(
    session: AsyncSession, *, email: str, ip: str | None, now: datetime, policy: AuthPolicy
) -> None:
    """Failures are counted per (account, address) and per address: someone who only knows an email can
    slow down their own address but cannot lock the owner out elsewhere. Across all addresses, many
    failures close the account to addresses it has never logged in from (guessing from many addresses),
    never to the owner's familiar ones. Past a limit even the right password is refused, so the limit is
    no oracle."""
    await _lock_login_key(session, email=email, ip=ip)
    since = now - policy.login_window
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
    )
    same_address = LoginAttempt.ip.is_(None) if ip is None else LoginAttempt.ip == ip
    per_account = await session.scalar(failures.where(LoginAttempt.email == email, same_address))
    if (per_account or 0) >= policy.max_failures_per_account:
        raise TooManyRequests("Too many failed logins for this account; try again later.")
    if ip is not None:
        per_ip = await session.scalar(failures.where(LoginAttempt.ip == ip))
        if (per_ip or 0) >= policy.max_failures_per_ip:
            raise TooManyRequests("Too many failed logins from this address; try again later.")
    everywhere = await session.scalar(failures.where(LoginAttempt.email == email))
    if (everywhere or 0) >= policy.max_failures_per_account_everywhere and not await _familiar(
        session, email=email, ip=ip, now=now, policy=policy
    ):
        raise TooManyRequests(
            "Too many failed logins for this account; try again later, or from a device you have used before."
        )


async def _familiar(
    session: AsyncSession, *, email: str, ip: str | None, now: datetime, policy: AuthPolicy
) -> bool:
    """The account has logged in from this address before (the owner's home, office or phone)."""
    if ip is None:
        return False
    seen = await session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.created_at >= now - policy.familiar_for,
        )
        .limit(1)
    )
    return seen is not None


async def resolve_session(session: AsyncSession, *, token: str, now: datetime) -> tuple[User, UserSession]:
    """The live session and user behind a cookie token, or Unauthorized."""
    row = (
        await session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == token_hash(token))
        )
    ).one_or_none()
    if row is None:
        raise Unauthorized("Not logged in.")
    user_session, user = row
    if user_session.revoked_at is not None or user_session.expires_at <= now or user.disabled_at is not None:
        raise Unauthorized("Your session has ended; please log in again.")
    if user_session.last_seen_at is None or now - user_session.last_seen_at > SESSION_TOUCH_INTERVAL:
        user_session.last_seen_at = now
    return user, user_session


async def logout(session: AsyncSession, *, token: str, now: datetime) -> None:
    await session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def list_memberships(session: AsyncSession, *, user_id: uuid.UUID) -> list[Membership]:
    """The organizations a user belongs to. Runs before any tenant is set, hence the definer lookup."""
    rows = await session.execute(
        text("SELECT * FROM cadence_user_memberships(:user_id)"), {"user_id": user_id}
    )
    return [Membership.model_validate(r._asdict()) for r in rows]


async def membership_in(session: AsyncSession, *, user_id: uuid.UUID, org_id: uuid.UUID) -> Membership | None:
    return next(
        (m for m in await list_memberships(session, user_id=user_id) if m.organization_id == org_id), None
    )


async def member_tenant(session: AsyncSession, *, email: str, org_id: uuid.UUID | None) -> TenantContext:
    """The tenant a known person acts as in an organization (command line, evals): refused unless
    they are a member. Not a login: callers that face the network authenticate first."""
    user = await find_user_by_email(session, email)
    membership = await membership_in(session, user_id=user.id, org_id=org_id) if user and org_id else None
    if user is None or membership is None:
        raise NotFound("{email} is not a member of that organization.", values={"email": email})
    return membership.tenant(user.id)


async def switch_organization(
    session: AsyncSession, *, user_session: UserSession, org_id: uuid.UUID
) -> Membership:
    membership = await membership_in(session, user_id=user_session.user_id, org_id=org_id)
    if membership is None:
        # Same answer whether the organization exists or not.
        raise NotFound("No such organization among yours.")
    user_session.active_organization_id = org_id
    await session.flush()
    return membership
