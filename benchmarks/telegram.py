"""The Telegram webhook path with the offline planner, on the `large` demo, against a bare
`/healthz` request through the same ASGI stack in the same run (the Bot API is mocked by respx).

Cases:
  * baseline — GET /healthz;
  * an unlinked user's message (secret check, update recorded, the polite reply);
  * a linked teacher's question, "who is in <their group>?", answered by the copilot;
  * a linked teacher's /today.
Reported as updates per second (1000 / p50 ms) and as p50 ratios to /healthz.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import respx
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from benchmarks.harness import measure, report
from benchmarks.large_demo import open_large_demo
from channels.embedded import EmbeddedPostgres, libpq_url
from channels.http.app import create_app
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.auth.models import User
from domain.db import unit_of_work
from domain.groups.models import Group
from domain.settings import Settings
from domain.teachers.models import Teacher
from domain.telegram import service as telegram

TOKEN, SECRET = "1:BENCH", "bench-secret"
API = f"https://api.telegram.org/bot{TOKEN}"
ROUNDS = 40
ids = itertools.count(time.time_ns() // 1000)  # fresh update ids on every run: seen ones are skipped


def update(user: int, text: str) -> dict[str, Any]:
    command = text.split()[0]
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if text.startswith("/") else []
    chat = {"id": user, "type": "private"}
    sender = {"id": user, "is_bot": False, "first_name": "B"}
    return {
        "update_id": next(ids),
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": sender,
            "text": text,
            "entities": entities,
        },
    }


async def main(data_dir: Path) -> None:
    server = EmbeddedPostgres(data_dir)
    server.start()
    try:
        demo = await open_large_demo(server, fresh=False)
        async with unit_of_work(demo.sessions, demo.admin) as s:
            teacher_user, group = (
                await s.execute(
                    select(Teacher.user_id, Group.name)
                    .join(Group, Group.teacher_id == Teacher.id)
                    .where(Teacher.user_id.is_not(None))
                    .limit(1)
                )
            ).one()
            assert teacher_user is not None and await s.get(User, teacher_user) is not None
            code = await telegram.new_link_code(s, user_id=teacher_user, now=datetime.now(UTC))
        app = create_app(Settings(telegram_token=TOKEN, telegram_webhook_secret=SECRET))
        app.state.sessions = demo.sessions
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        reply = {
            "ok": True,
            "result": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"},
        }
        async with TenantSaver.from_conn_string(libpq_url(demo.app_url)) as saver:
            app.state.copilot = Copilot(saver)
            with respx.mock(assert_all_called=False) as mock:
                mock.post(f"{API}/getMe").respond(
                    json={"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "C", "username": "b"}}
                )
                sent = mock.post(f"{API}/sendMessage").respond(json=reply)
                mock.route(host="testserver").pass_through()
                async with AsyncClient(
                    transport=ASGITransport(app=app), base_url="http://testserver"
                ) as client:
                    linked = await client.post(
                        "/telegram/webhook", json=update(7, f"/start {code}"), headers=headers
                    )
                    assert linked.status_code == 200
                    question = update(7, f"who is in {group}?")
                    await client.post("/telegram/webhook", json=question, headers=headers)
                    said = [httpx.QueryParams(c.request.content.decode())["text"][:60] for c in sent.calls]
                    print(f"linking answers: {said[0]!r}…; the question: {said[-1]!r}…")

                    async def healthz() -> object:
                        return (await client.get("/healthz")).raise_for_status()

                    def webhook(user: int, text: str) -> Any:
                        async def post() -> object:
                            r = await client.post(
                                "/telegram/webhook", json=update(user, text), headers=headers
                            )
                            return r.raise_for_status()

                        return post

                    timings = await measure(
                        {
                            "GET /healthz": healthz,
                            "webhook: unlinked user": webhook(99, "hello"),
                            f"webhook: who is in {group}?": webhook(7, f"who is in {group}?"),
                            "webhook: /today": webhook(7, "/today"),
                        },
                        rounds=ROUNDS,
                        warmup=5,
                    )
                print(report(timings, "GET /healthz"))
                for t in timings:
                    print(f"{t.name:<48} {1000 / t.p50:>8.1f} per second (p50, one at a time)")
                print(f"replies sent: {sent.call_count}")
        await demo.engine.dispose()
    finally:
        server.stop()
