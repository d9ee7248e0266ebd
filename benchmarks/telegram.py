"""The Telegram webhook path with the offline planner, on the `large` demo, against a bare
`/healthz` request through the same ASGI stack in the same run (the Bot API is mocked by respx).

Cases:
  * baseline — GET /healthz;
  * an unlinked user's message (secret check, update recorded, the polite reply);
  * a linked teacher's question, "who is in <their group>?", answered by the copilot;
  * a linked teacher's /today;
  * a /roll round through the fake Bot API server on localhost (the bot's calls are real HTTP): open the
    roll of a class of today, 3 toggles, Save, Confirm — 6 or 7 webhook deliveries, the marks written.
Reported as updates per second (1000 / p50 ms) and as p50 ratios to /healthz (the roll round against
/healthz of its own app, in the same run).
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
from channels.telegram.fake_api import FakeBotApi, Person, serving
from copilot.checkpoints import TenantSaver
from copilot.service import Copilot
from domain.auth.models import User
from domain.db import unit_of_work
from domain.groups.models import Group
from domain.sessions.models import ClassSession, SessionStatus
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
                mock.post(f"{API}/setMyCommands").respond(json={"ok": True, "result": True})
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
            await roll_round(demo, saver)
        await demo.engine.dispose()
    finally:
        server.stop()


async def roll_round(demo: Any, saver: TenantSaver) -> None:
    """A teacher's /roll round, each step a webhook delivery from the fake Bot API server, whose
    answers the bot gets over HTTP: the whole path a real round takes, minus Telegram's network."""
    async with unit_of_work(demo.sessions, demo.admin) as s:
        found = (
            await s.execute(
                select(Teacher.user_id, Group.name)
                .join(ClassSession, ClassSession.teacher_id == Teacher.id)
                .join(Group, Group.id == ClassSession.group_id)
                .where(
                    Teacher.user_id.is_not(None),
                    ClassSession.date == demo.admin.today(),
                    ClassSession.status != SessionStatus.CANCELLED,
                )
                .limit(1)
            )
        ).first()
        if found is None:
            print("roll round: no teacher with a Cadence login has a class today in the demo; skipped")
            return
        teacher_user, group = found
        assert teacher_user is not None
        code = await telegram.new_link_code(s, user_id=teacher_user, now=datetime.now(UTC))
    api = FakeBotApi(TOKEN)
    async with serving(api) as url:
        app = create_app(Settings(telegram_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_url=url))
        app.state.sessions, app.state.copilot = demo.sessions, Copilot(saver)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://cadence.bench") as client:
            api.webhook_client = client
            api.webhook = ("http://cadence.bench/telegram/webhook", SECRET)
            teacher = Person(8_000_000 + next(ids) % 1_000_000, "Bench")
            await api.say(teacher, f"/start {code}")

            async def healthz() -> object:
                return (await client.get("/healthz")).raise_for_status()

            async def a_round() -> object:
                await api.say(teacher, "/roll")
                opened = api.last(teacher.id)
                if opened.buttons and not opened.labels()[-1].startswith("💾"):  # several classes: which
                    await api.tap(teacher, opened, next(label for label in opened.labels() if group in label))
                roll = api.last(teacher.id)
                for index in range(3):
                    await api.tap(teacher, roll, roll.data()[index])
                await api.tap(teacher, roll, roll.data()[-1])  # Save
                await api.tap(teacher, roll, roll.data()[0])  # Confirm
                assert roll.text.startswith("Confirmed"), roll.text
                return roll

            timings = await measure(
                {"GET /healthz": healthz, "/roll round": a_round}, rounds=ROUNDS // 2, warmup=3
            )
        bot = getattr(app.state, "telegram", None)
        if bot is not None:
            await bot.shutdown()
    print(report(timings, "GET /healthz"))
    print(
        f"{'/roll round (open, 3 toggles, save, confirm)':<48} {1000 / timings[1].p50:>8.1f} per second (p50)"
    )
