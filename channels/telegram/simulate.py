"""`cadence telegram simulate`: try the bot's flows without a bot token, against the fake Bot API server.

The fake server runs on localhost, the bot talks to it over HTTP exactly as it would to Telegram, and
this module plays the person: a line typed is a message, a number taps that button of the last
message with buttons. Updates are fetched by polling after each line, so what is printed is the
bot's whole answer to it. The person is the Cadence user given, linked with a one-time code (as
``/start CODE`` would) unless they already linked a Telegram account, whose id is then used.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.telegram.bot import BotDeps, build_application, register_commands
from channels.telegram.fake_api import FakeBotApi, Person, Shown, serving
from channels.telegram.polling import poll
from copilot.service import Copilot
from domain.auth import service as auth
from domain.db import unit_of_work
from domain.notifications.models import TelegramAccount
from domain.orgs import service as orgs
from domain.telegram import service as telegram

TOKEN = "1:SIMULATED-NOT-A-REAL-TOKEN"  # noqa: S105 - the fake server accepts only this one
SIMULATED_TELEGRAM_ID = 7_000_000_001  # the simulated person, when the user has no Telegram linked
HELP = "Type a message, or a button's number to tap it; /help lists the commands; q quits."


class Simulation:
    """The person's side of the chat: sends, taps, and shows what the bot said since last time."""

    def __init__(self, api: FakeBotApi, person: Person, handle: Callable[[], Awaitable[int]]) -> None:
        self.api, self.person, self._handle = api, person, handle
        self._seen: dict[int, int] = {}  # message id -> edits shown
        self._buttons: Shown | None = None  # the last message shown with buttons

    async def send(self, line: str) -> list[str]:
        line = line.strip()
        if line.isdigit() and self._buttons is not None:
            data = self._buttons.data()
            number = int(line)
            if not 1 <= number <= len(data):
                return [f"(no button {number}: 1 to {len(data)})"]
            await self.api.tap(self.person, self._buttons, data[number - 1])
        elif line:
            await self.api.say(self.person, line)
        await self._handle()
        return self.render()

    def render(self) -> list[str]:
        shown: list[str] = []
        for message in self.api.bot_messages(self.person.id):
            edits = self._seen.get(message.message_id)
            if edits == message.edits:
                continue
            self._seen[message.message_id] = message.edits
            shown.append(("(updated) " if edits is not None else "") + message.text)
            if message.buttons:
                self._buttons = message
                shown.extend(f"  [{n}] {label}" for n, label in enumerate(message.labels(), start=1))
            elif self._buttons is message:
                self._buttons = None
        return shown


async def simulate(
    sessions: async_sessionmaker[AsyncSession],
    copilot: Copilot,
    *,
    email: str,
    org_slug: str,
    read: Callable[[], Awaitable[str | None]],
    write: Callable[[str], None],
) -> None:
    """Run the bot against a fake Bot API server for ``email`` in organization ``org_slug`` until
    ``read`` returns None or "q"."""
    async with unit_of_work(sessions) as session:
        tenant = await auth.member_tenant(
            session, email=email, org_id=await orgs.organization_id_by_slug(session, org_slug)
        )
        assert tenant.user_id is not None
        account = await session.get(TelegramAccount, tenant.user_id)
        code = None
        if account is None:
            code = await telegram.new_link_code(session, user_id=tenant.user_id, now=datetime.now(UTC))
    person = Person(account.telegram_user_id if account else SIMULATED_TELEGRAM_ID, email.split("@")[0])
    api = FakeBotApi(TOKEN)
    async with serving(api) as url:
        application = build_application(TOKEN, BotDeps(sessions=sessions, copilot=copilot), api_url=url)
        async with application:
            await register_commands(application)
            chat = Simulation(api, person, lambda: poll(application, sessions, until_idle=True))
            write(f"Fake Bot API at {url}; you are {email} in {org_slug}. {HELP}")
            if code is not None:
                for linked_line in await chat.send(f"/start {code}"):
                    write(linked_line)
            async with unit_of_work(sessions) as session:  # act in the organization asked for
                linked = await telegram.account_of(session, person.id)
                assert linked is not None
                await telegram.choose_organization(session, linked, tenant.org_id)
            while (typed := await read()) is not None and typed.strip().lower() not in ("q", "quit", "exit"):
                for shown in await chat.send(typed):
                    write(shown)
