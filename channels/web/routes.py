"""Pages of the browser app. They are static files; every piece of data comes from the JSON API
under the person's login, so the pages hold no logic the API does not enforce."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"
PAGES = {"login", "chat", "students", "groups", "today", "payments", "payouts"}
PAGES |= {"dashboard", "reports"}  # issue 17's pages (the reports engineer's)

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
