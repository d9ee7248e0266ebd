from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from channels.http.deps import DB

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(db: DB) -> dict[str, str]:
    """Liveness and database reachability."""
    await db.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
