from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from channels.http.deps import CSRF_COOKIE, DB, SESSION_COOKIE, AppSettings, Now, Person
from domain.auth import language as languages
from domain.auth import service as auth
from domain.auth.schemas import LoginIn, MeOut, SignupIn, UserOut
from domain.auth.service import AuthPolicy, LoginResult
from domain.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])


class Me(MeOut):
    """Who is logged in, and the language the pages speak to them."""

    language: languages.Language = Field(
        description="The language to use: the person's choice, else the active organization's locale."
    )
    language_choice: languages.Language | None = Field(
        description="The person's own choice; null means the organization's locale decides."
    )


class MePatch(BaseModel):
    """What a person may change about themselves here: the language (null: the organization's)."""

    model_config = ConfigDict(extra="forbid")

    language: languages.Language | None


def auth_policy(settings: Settings) -> AuthPolicy:
    return AuthPolicy(
        session_ttl=timedelta(hours=settings.session_ttl_hours),
        login_window=timedelta(minutes=settings.login_window_minutes),
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_ip=settings.login_max_failures_per_ip,
        max_failures_per_account_everywhere=settings.login_max_failures_per_account_everywhere,
    )


def _set_cookies(response: Response, result: LoginResult, settings: Settings) -> None:
    max_age = settings.session_ttl_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token on writes.
    response.set_cookie(
        CSRF_COOKIE,
        result.user_session.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


async def _me(db: DB, result: LoginResult) -> Me:
    memberships = await auth.list_memberships(db, user_id=result.user.id)
    active = result.user_session.active_organization_id
    org_locale = await languages.organization_locale(db, result.user.id, active) if active else None
    return Me(
        user=UserOut.model_validate(result.user),
        active_organization_id=active,
        memberships=[m for m in memberships],
        csrf_token=result.user_session.csrf_token,
        language=languages.spoken(result.user.language, org_locale),
        language_choice=languages.spoken(result.user.language, None) if result.user.language else None,
    )


async def _login(
    request: Request, response: Response, db: DB, settings: Settings, now: Now, email: str, password: str
) -> Me:
    result = await auth.login(
        db,
        email=email,
        password=password,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("User-Agent"),
        now=now,
        policy=auth_policy(settings),
        previous_token=request.cookies.get(SESSION_COOKIE),
    )
    _set_cookies(response, result, settings)
    return await _me(db, result)


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=Me)
async def signup(
    body: SignupIn, request: Request, response: Response, db: DB, settings: AppSettings, now: Now
) -> Me:
    """Create an account and log in."""
    user = await auth.signup(db, email=body.email, password=body.password, name=body.name)
    return await _login(request, response, db, settings, now, user.email, body.password)


@router.post("/login", response_model=Me)
async def login(
    body: LoginIn, request: Request, response: Response, db: DB, settings: AppSettings, now: Now
) -> Me:
    """Log in: a new session (any earlier one presented is revoked) in an HttpOnly cookie."""
    return await _login(request, response, db, settings, now, body.email, body.password)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(person: Person, response: Response, db: DB, now: Now) -> None:
    await auth.logout(db, token=person.token, now=now)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def _result(person: Person) -> LoginResult:
    return LoginResult(user=person.user, user_session=person.user_session, token=person.token)


@router.get("/me", response_model=Me)
async def me(person: Person, db: DB) -> Me:
    return await _me(db, _result(person))


@router.patch("/me", response_model=Me)
async def update_me(body: MePatch, person: Person, db: DB) -> Me:
    """Change your language ('en' or 'es'; null: the organization's locale). It follows you to any
    device and into the emails sent to you."""
    await languages.set_language(db, person.user, body.language)
    return await _me(db, _result(person))
