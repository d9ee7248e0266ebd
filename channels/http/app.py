"""The FastAPI application: REST API under /api/v1, OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, FastAPI

from channels import heap
from channels.embedded import libpq_url
from channels.http import scopes
from channels.http.errors import install_error_handlers
from channels.http.limits import install_limits
from channels.http.openapi import install_openapi
from channels.http.routes import (
    api_keys,
    audit,
    auth,
    chat,
    groups,
    health,
    imports,
    money,
    notifications,
    orgs,
    people,
    receipt_page,
    registration,
    reports,
    schedule,
    sessions,
    students_web,
    telegram,
    tools,
    webhooks,
)
from channels.http.routes.money import storage_for
from channels.http.security_headers import SecurityHeaders
from channels.mcp import build_server, require_api_key, transport_security
from channels.web import routes as web
from copilot.checkpoints import TenantSaver
from copilot.factory import make_planner
from copilot.service import Copilot
from domain.db import create_engine, session_factory
from domain.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None, *, database_url: str | None = None, settle_heap: bool = False
) -> FastAPI:
    """Build the app. ``database_url`` is the app role's; tests may instead override ``get_db``.
    ``settle_heap``: a server process's (``channels.heap``), not a test's, which builds many apps."""
    settings = settings or get_settings()
    url = database_url or settings.database_url

    state: dict[str, FastAPI] = {}
    mcp_server = build_server(lambda: state["app"].state.sessions)
    mcp_app = mcp_server.streamable_http_app(
        streamable_http_path="/",
        stateless_http=True,
        json_response=True,
        transport_security=transport_security(settings.public_base_url),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(url) if url else None
        app.state.sessions = session_factory(engine) if engine else getattr(app.state, "sessions", None)
        try:
            async with AsyncExitStack() as stack:
                if url:  # the copilot for the chat channels, with its checkpointer on the app role
                    saver = await stack.enter_async_context(  # a pool: turns of other chats run alongside
                        TenantSaver.pooled(libpq_url(url), max_size=settings.database_pool_size)
                    )
                    app.state.copilot = Copilot(
                        saver,
                        planner=make_planner(settings),
                        receipts=storage_for(settings),
                        receipt_max_bytes=settings.receipt_max_bytes,
                    )
                await stack.enter_async_context(mcp_server.session_manager.run())  # MCP needs it running
                if settle_heap:
                    heap.settle()  # what start-up built lives as long as the server: no collection walks it
                yield
                bot = getattr(app.state, "telegram", None)
                if bot is not None:
                    await bot.shutdown()
        finally:
            if engine is not None:
                await engine.dispose()

    app = FastAPI(
        title="Cadence",
        summary="Operations and intelligence for dance schools and independent dance teachers.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # /docs is served offline by channels.web (Swagger UI's files from a package)
        redoc_url=None,  # ReDoc would load from a CDN
    )
    app.state.settings = settings
    state["app"] = app
    app.state.mcp = mcp_server
    install_error_handlers(app)
    install_openapi(app)  # the error envelope and status codes, documented once for every route
    install_limits(app, settings)  # body caps; X-Forwarded-For only from CADENCE_TRUSTED_PROXIES
    app.add_middleware(SecurityHeaders, pages=web.STATIC)  # outermost: every response, 413s too
    app.include_router(health.router)
    app.include_router(telegram.webhook_router)
    app.include_router(web.router)
    app.include_router(reports.assets)  # the chart scripts the report pages run
    app.mount("/static", web.static_files, name="static")
    api = APIRouter(prefix="/api/v1")
    routers = (
        auth,
        orgs,
        api_keys,
        audit,
        students_web,  # before people: /students/browse is not a student id
        people,
        groups,
        imports,
        sessions,
        schedule,
        registration,
        money,
        reports,
        tools,
        notifications,
        webhooks,
        telegram,
        chat,
    )
    for module in routers:
        api.include_router(scopes.declare(module.router))
    api.include_router(registration.public)
    api.include_router(money.public)
    api.include_router(receipt_page.public)  # the parents' upload page reads its link
    api.include_router(schedule.public)
    app.include_router(api)
    app.mount("/mcp", require_api_key(mcp_app, lambda: app.state.sessions))  # 401 without a key
    return app
