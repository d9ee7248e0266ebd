"""Exactly once under concurrency: many confirmations of one pending action sent at the same moment
apply it once, through every path that applies actions (REST, the web chat, the copilot service that the
CLI and Telegram use), and every other caller is told it was already done — never a 500. The same for
attendance marks saved at the same moment.

These tests need real concurrent transactions, so they run on their own committed database (the usual
fixture runs a whole test inside one rolled-back transaction, where concurrency cannot happen).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels.embedded import DatabaseUrls
from channels.http.app import create_app
from copilot.service import Copilot
from domain.attendance.models import AttendanceRecord
from domain.auth.models import User
from domain.db import create_engine, session_factory, unit_of_work, use_tenant
from domain.payments.models import Payment
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.settings import Settings
from tests.committed import committed_database
from tests.conftest import REPORT
from tests.domain.studio import build_studio
from tests.factories import PASSWORD

API = "/api/v1"
CONCURRENT = 8  # confirmations sent at once
ROUNDS = 3  # fresh actions per path
PAY = "record_payment"


@dataclass
class World:
    urls: DatabaseUrls
    org_id: uuid.UUID
    admin_email: str
    student: str
    student_id: uuid.UUID
    class_id: uuid.UUID  # a class of today, nobody marked yet
    second_class_id: uuid.UUID  # another, for saves that say what they saw


@pytest.fixture(scope="module")
def world(database_urls: DatabaseUrls) -> Iterator[World]:
    urls = committed_database("cadence_concurrency_test")

    async def seed() -> World:
        engine = create_engine(urls.app)
        try:
            async with session_factory(engine)() as session:
                studio = await build_studio(session, names=("Ana García",))
                email = (await session.get(User, studio.admin.user_id)).email  # type: ignore[union-attr]
                today = studio.admin.today()
                lesson = await sessions.create_session(
                    session, studio.admin, data=SessionIn(group_id=studio.salsa.id, date=today)
                )
                second = await sessions.create_session(
                    session,
                    studio.admin,
                    data=SessionIn(group_id=studio.salsa.id, date=today, start_time=time(21)),
                )
                await session.commit()
                ana = studio.students["Ana"].id
                return World(urls, studio.org.id, email, "Ana García", ana, lesson.id, second.id)
        finally:
            await engine.dispose()

    yield asyncio.run(seed())


@asynccontextmanager
async def serving(world: World) -> AsyncIterator[FastAPI]:
    """The real app on its own engine and pool, with its lifespan (checkpointer, copilot) running.
    A context manager in the test's own task, not a fixture: the MCP session manager's task group
    must be entered and left by the same task."""
    app = create_app(Settings(), database_url=world.urls.app)
    async with app.router.lifespan_context(app):
        yield app


async def rows(engine: AsyncEngine, world: World, model: type[Any]) -> int:
    async with session_factory(engine)() as session:
        await session.execute(
            select(func.set_config("app.org_id", str(world.org_id), True))  # RLS: this org only
        )
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def payments_count(engine: AsyncEngine, world: World) -> int:
    return await rows(engine, world, Payment)


async def logged_in(app: FastAPI, world: World) -> tuple[AsyncClient, dict[str, str]]:
    client = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    r = await client.post(f"{API}/auth/login", json={"email": world.admin_email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client, {"X-CSRF-Token": r.json()["csrf_token"]}


def tally(responses: list[Response], done_prefix: str) -> tuple[int, int, list[str]]:
    """(applied now, told already done, anything else)."""
    applied = already = 0
    other: list[str] = []
    for r in responses:
        body = r.json()
        text = str(body.get("answer", body.get("text", "")))
        if r.status_code == 200 and text.startswith("Already done"):
            already += 1
        elif r.status_code == 200 and text.startswith(done_prefix):
            applied += 1
        elif r.status_code == 409 and "already being applied" in str(body):
            already += 1
        else:
            other.append(f"{r.status_code} {r.text[:200]}")
    return applied, already, other


async def chat_proposal(client: AsyncClient, csrf: dict[str, str], said: str) -> str:
    """Ask in the web chat; the id of the action its preview proposes."""
    asked = await client.post(f"{API}/chat/messages", json={"text": said}, headers=csrf)
    return str(json.loads(asked.text.split("event: done\ndata: ")[1].split("\n")[0])["pending_action"]["id"])


async def confirmed_at_once(world: World, propose: str, confirm: str) -> None:
    """ROUNDS times: propose a payment through ``propose`` (the REST tools or the web chat), then press
    the ``confirm`` route CONCURRENT times at once: one payment, every other press told it was done."""
    async with serving(world) as served:
        client, csrf = await logged_in(served, world)
        engine = create_engine(world.urls.app)
        try:
            for _ in range(ROUNDS):
                before = await payments_count(engine, world)
                if propose == "rest":
                    proposed = await client.post(
                        f"{API}/tools/{PAY}", json={"student": world.student, "amount": "45.00"}, headers=csrf
                    )
                    action = proposed.json()["pending_action"]["id"]
                else:
                    action = await chat_proposal(client, csrf, f"{world.student} paid 45 euros by transfer")
                url = confirm.format(action=action)
                responses = await asyncio.gather(*(client.post(url, headers=csrf) for _ in range(CONCURRENT)))
                applied, already, other = tally(list(responses), "Recorded")
                assert other == []
                assert (applied, already) == (1, CONCURRENT - 1)
                assert await payments_count(engine, world) == before + 1
        finally:
            await engine.dispose()
            await client.aclose()
    REPORT[f"concurrent confirms ({propose})"] = f"{ROUNDS} rounds x {CONCURRENT} at once -> 1 effect each"


async def test_concurrent_rest_confirms_apply_once(world: World) -> None:
    await confirmed_at_once(world, "rest", API + "/actions/{action}/confirm")


async def test_concurrent_web_chat_confirms_apply_once(world: World) -> None:
    await confirmed_at_once(world, "web chat", API + "/chat/actions/{action}/confirm")


async def test_concurrent_copilot_confirms_apply_once(world: World) -> None:
    async with serving(world) as served:
        await _concurrent_copilot_confirms_apply_once(served, world)


async def _concurrent_copilot_confirms_apply_once(served: FastAPI, world: World) -> None:
    """`cadence confirm` and the Telegram buttons: Copilot.confirm, each in its own transaction."""
    copilot: Copilot = served.state.copilot
    sessions: async_sessionmaker[AsyncSession] = served.state.sessions
    engine = create_engine(world.urls.app)
    now = datetime.now(UTC)
    try:
        async with sessions() as session:
            from domain.auth import service as auth

            user = await auth.find_user_by_email(session, world.admin_email)
            assert user is not None
            tenant = await auth.member_tenant(session, email=world.admin_email, org_id=world.org_id)
        for round_ in range(ROUNDS):
            before = await payments_count(engine, world)
            async with unit_of_work(sessions, tenant) as session:
                await use_tenant(session, tenant)
                asked = await copilot.ask(
                    session,
                    tenant,
                    f"{world.student} paid 45 euros by transfer",
                    channel="cli",
                    chat=f"concurrency-{round_}",
                    today=tenant.today(),
                    now=now,
                )
            assert asked.pending_action is not None
            action = uuid.UUID(asked.pending_action["id"])

            async def confirm_once(action: uuid.UUID = action) -> str:
                try:
                    async with unit_of_work(sessions, tenant) as session:
                        result = await copilot.confirm(session, tenant, action, today=tenant.today(), now=now)
                        return result.answer
                except Exception as exc:  # a domain error is an answer too; anything else fails below
                    return f"{type(exc).__name__}: {exc}"

            answers = await asyncio.gather(*(confirm_once() for _ in range(CONCURRENT)))
            applied = [a for a in answers if a.startswith("Recorded")]
            already = [a for a in answers if a.startswith("Already done") or "already being applied" in a]
            assert len(applied) == 1, answers
            assert len(already) == CONCURRENT - 1, answers
            assert await payments_count(engine, world) == before + 1
    finally:
        await engine.dispose()
    REPORT["concurrent confirms (copilot: CLI, Telegram)"] = (
        f"{ROUNDS} rounds x {CONCURRENT} at once -> 1 effect each"
    )


async def test_concurrent_yes_in_one_chat_applies_once(world: World) -> None:
    """\"yes\" typed several times and Confirm pressed several times, all at once, in one conversation:
    one applies, every other is answered (already done, or being applied), none fails."""
    async with serving(world) as served:
        client, csrf = await logged_in(served, world)
        engine = create_engine(world.urls.app)
        try:
            for _ in range(ROUNDS):
                before = await payments_count(engine, world)
                ask = f"{API}/chat/messages"
                action = await chat_proposal(client, csrf, f"{world.student} paid 45 euros by transfer")
                button = f"{API}/chat/actions/{action}/confirm"
                replies = await asyncio.gather(
                    *(client.post(ask, json={"text": "yes"}, headers=csrf) for _ in range(CONCURRENT // 2)),
                    *(client.post(button, headers=csrf) for _ in range(CONCURRENT // 2)),
                )
                said = [r.text for r in replies[: CONCURRENT // 2]]
                pressed = [r for r in replies[CONCURRENT // 2 :]]
                assert all(
                    "event: done" in text or ("event: error" in text and "already being applied" in text)
                    for text in said
                ), [text[-300:] for text in said]
                assert all(r.status_code in (200, 409) for r in pressed), [r.text for r in pressed]
                applied = sum("Recorded 45.00" in t and "Already" not in t for t in said)
                applied += sum(r.json().get("answer", "").startswith("Recorded") for r in pressed)
                assert applied == 1
                assert await payments_count(engine, world) == before + 1
        finally:
            await engine.dispose()
            await client.aclose()


async def test_concurrent_first_marks_of_one_student_record_one_mark(world: World) -> None:
    """Several people marking the same unmarked student at the same moment: one mark is recorded, the
    others are told what changed or that nothing did — no duplicate-key 500."""
    async with serving(world) as served:
        people = [await logged_in(served, world) for _ in range(CONCURRENT)]  # separate logins
        engine = create_engine(world.urls.app)
        try:
            url = f"{API}/sessions/{world.class_id}/attendance"
            statuses = ["absent", "present"] * (CONCURRENT // 2)
            mark = {"student_id": str(world.student_id)}
            replies = await asyncio.gather(
                *(
                    client.post(url, json={"marks": [{**mark, "status": s}]}, headers=csrf)
                    for (client, csrf), s in zip(people, statuses, strict=True)
                )
            )
            assert all(r.status_code in (200, 409) for r in replies), [r.text[:200] for r in replies]
            assert sum(r.json().get("created", 0) for r in replies if r.status_code == 200) == 1
            assert await rows(engine, world, AttendanceRecord) == 1

            # Each save says it saw the student unmarked: one records, every other is refused, none
            # overwrites the mark it never saw.
            url = f"{API}/sessions/{world.second_class_id}/attendance"
            seen = {**mark, "expected": "unmarked"}
            replies = await asyncio.gather(
                *(
                    client.post(url, json={"marks": [{**seen, "status": s}]}, headers=csrf)
                    for (client, csrf), s in zip(people, statuses, strict=True)
                )
            )
            assert sorted(r.status_code for r in replies) == [200] + [409] * (CONCURRENT - 1)
            assert await rows(engine, world, AttendanceRecord) == 2
        finally:
            await engine.dispose()
            for client, _ in people:
                await client.aclose()
