"""Pages of the browser app. They are static files; every piece of data comes from the JSON API
under the person's login, so the pages hold no logic the API does not enforce.

``/docs`` is Swagger UI (5.x: it reads OpenAPI 3.1) from the files the ``fastapi-offline`` package ships,
served here, so the API documentation works with no internet and under the same Content-Security-Policy
as the pages."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"login", "chat", "students", "student", "groups", "today", "payments", "payouts", "settings"}
PAGES |= {"dashboard", "reports"}  # issue 17's pages (the reports engineer's)
PAGES |= {"schedule"}  # issue 18's schedule page (web18a)
SWAGGER_UI = Path(fastapi_offline.__file__).resolve().parent / "static"
SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}

router = APIRouter(include_in_schema=False)
static_files = StaticFiles(directory=STATIC)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/app/chat")


@router.get("/app/{page}")
async def page(page: str) -> FileResponse:
    if page not in PAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such page.")
    return FileResponse(STATIC / f"{page}.html", headers={"Cache-Control": "no-cache"})


@router.get("/invitations/accept")
async def accept_invitation() -> FileResponse:
    """Where an invitation's link lands (``accept_url``): log in or sign up, then join."""
    return FileResponse(STATIC / "accept.html", headers={"Cache-Control": "no-cache"})


@router.get("/upload/{token}")
async def receipt_upload(token: str) -> FileResponse:
    """Where a parent's upload link lands (``receipts.upload_url``): the form, in the school's language."""
    return FileResponse(STATIC / "upload.html", headers={"Cache-Control": "no-store"})


@router.get("/join/{slug}")
async def registration_form(slug: str) -> FileResponse:
    """A school's public registration form: share ``/join/<the organization's address>``."""
    return FileResponse(STATIC / "join.html", headers={"Cache-Control": "no-cache"})


@router.get("/docs")
async def docs() -> FileResponse:
    return FileResponse(STATIC / "docs.html", headers={"Cache-Control": "no-cache"})


@router.get("/docs/assets/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in SWAGGER_FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such file.")
    return FileResponse(SWAGGER_UI / name, headers={"Cache-Control": "public, max-age=86400"})
