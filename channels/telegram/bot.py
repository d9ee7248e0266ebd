"""Handlers of the Telegram bot: linking, /org, /help, /today, /unpaid, free text to the copilot, and
Confirm / Cancel buttons on every write. Thin: they find the person and the tenant, call the copilot
or a tool, and reply. Every write still goes through the copilot's pending action, which only the
person who asked can confirm.

The bot talks only in private chats (a group would see the school's data), answers a failure with an
apology (the update's transaction is rolled back: see ``webhook.handle``), and publishes its menu.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from channels.telegram import charts as report_chart
from channels.telegram import handling, statements, texts
from channels.telegram.documents import send_spreadsheet
from channels.telegram.replies import send
from copilot.service import Copilot, TurnResult
from domain.auth.models import User
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.notifications.models import TelegramAccount
from domain.orgs.models import Organization
from domain.payments import receipts
from domain.telegram import service as telegram
from domain.tenancy import TenantContext
from tools import runner
from tools.base import Attachment, ToolContext

# English, as before the bot spoke Spanish too; handlers say them in the person's language (texts.py).
HELP = texts.say(texts.ENGLISH, "bot.help")
NOT_LINKED = texts.say(texts.ENGLISH, "bot.not_linked")
CHOOSE_ORG = texts.say(texts.ENGLISH, "bot.choose_org")
PRIVATE_ONLY = texts.say(texts.ENGLISH, "bot.private_only")
SORRY = texts.say(texts.ENGLISH, "bot.sorry")
MENU = ("today", "roll", "sick", "unpaid", "cover", "org", "language", "help")
# The one command also named in Spanish (both work for everyone; each menu shows its own).
_MENU_NAMES = {texts.SPANISH: {"language": "idioma"}}


def commands(language: str) -> tuple[BotCommand, ...]:
    """The command menu in ``language`` (Telegram shows each person the one of their app's language)."""
    names = _MENU_NAMES.get(language, {})
    return tuple(BotCommand(names.get(name, name), texts.say(language, f"cmd.{name}")) for name in MENU)


COMMANDS = commands(texts.ENGLISH)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotDeps:
    """What the handlers need, kept in ``application.bot_data``."""

    sessions: async_sessionmaker[AsyncSession]
    copilot: Copilot


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _deps(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    """The handlers' sessions are savepoints of the update's transaction when there is one."""
    deps: BotDeps = context.application.bot_data["deps"]
    within = handling.current()
    return deps if within is None else replace(deps, sessions=within.sessions)


def _now() -> datetime:
    return datetime.now(UTC)


def _telegram_language(update: object) -> str | None:
    user = update.effective_user if isinstance(update, Update) else None
    return user.language_code if user else None


def _language(update: object) -> str:
    """English or Spanish: the person's own choice, else their Telegram app's, else their school's
    (``texts.language_of``), as read by ``_person`` for this update; before that (or for someone not
    linked), their Telegram app's."""
    within = handling.current()
    if within is not None and within.language is not None:
        return within.language
    return texts.language_of(_telegram_language(update))


async def _learn_language(
    update: Update, deps: BotDeps, chosen: str | None, tenant: TenantContext | None
) -> None:
    """Keep the person's language for the rest of this update; the school's locale is read only when
    neither their choice nor their Telegram app decides."""
    within = handling.current()
    if within is None:
        return
    language = texts.speaks(_telegram_language(update), chosen)
    if language is None and tenant is not None:
        async with unit_of_work(deps.sessions, tenant) as session:
            org = await session.get(Organization, tenant.org_id)
        language = texts.language_of(None, org.locale if org is not None else None)
    within.language = language


def _said(update: object, key: str) -> str:
    return texts.say(_language(update), key)


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send(chat, text, markup)


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: outside a private chat nothing is answered (a group, a supergroup
    or a channel would see the school's data), except one line to a command or a button press."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    try:
        message = update.effective_message
        if update.callback_query is not None:
            await update.callback_query.answer(_said(update, "bot.private_only"))
        elif chat.type != ChatType.CHANNEL and message is not None and (message.text or "").startswith("/"):
            await chat.send_message(_said(update, "bot.private_only"))
    except TelegramError:
        logger.info("Could not send the private-chats notice to chat %s", chat.id, exc_info=True)
    finally:
        raise ApplicationHandlerStop  # whatever happened above, no handler runs here


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A handler failed: log it with the update id, apologise, and mark the handling failed so that
    its transaction (the update's claim included) rolls back. No further handler runs."""
    within = handling.current()
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Telegram update %s failed", update_id, exc_info=context.error)
    try:
        if within is not None:
            within.failed = True
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None and chat.type == ChatType.PRIVATE:
            await chat.send_message(_said(update, "bot.sorry"))
            if within is not None:
                within.apologised = True
    except TelegramError:
        logger.warning("Could not apologise for Telegram update %s", update_id, exc_info=True)
    finally:
        raise ApplicationHandlerStop


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Publish the command menu (/today, /roll, /unpaid, /org, /help), in English for everyone and in
    Spanish for people whose Telegram speaks it. A convenience: if Telegram refuses, the bot works
    without it, so this logs and carries on."""
    try:
        await application.bot.set_my_commands(COMMANDS)
        await application.bot.set_my_commands(commands(texts.SPANISH), language_code=texts.SPANISH)
    except Exception:  # the menu must never keep the bot from starting
        logger.warning("Could not set the Telegram command menu", exc_info=True)


async def _person(update: Update, deps: BotDeps) -> tuple[TelegramAccount, TenantContext | None] | None:
    user = update.effective_user
    if user is None:
        return None
    async with unit_of_work(deps.sessions) as session:
        account = await telegram.account_of(session, user.id)
        if account is None:
            return None
        tenant = await telegram.acting_as(session, account)
        chosen = await session.scalar(select(User.language).where(User.id == account.user_id))
    await _learn_language(update, deps, chosen, tenant)
    return account, tenant


def _linked(handler: Callable[[Update, BotDeps, TelegramAccount, TenantContext], Awaitable[None]]) -> Handler:
    """Run ``handler`` for a linked person with an organization; explain politely otherwise."""

    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        deps = _deps(context)
        found = await _person(update, deps)
        if found is None:
            await _reply(update, _said(update, "bot.not_linked"))
            return
        account, tenant = found
        if tenant is None:
            await _reply(update, _said(update, "bot.choose_org"))
            return
        try:
            await handler(update, deps, account, tenant)
        except DomainError as exc:
            await _reply(update, texts.refusal(_language(update), exc.message))

    return run


def confirm_buttons(language: str, action_id: object) -> InlineKeyboardMarkup:
    """Confirm / Cancel of a pending action, in the person's language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.say(language, "button.confirm"), callback_data=f"confirm:{action_id}"
                ),
                InlineKeyboardButton(
                    texts.say(language, "button.cancel"), callback_data=f"cancel:{action_id}"
                ),
            ]
        ]
    )


def _buttons(result: TurnResult, language: str) -> InlineKeyboardMarkup | None:
    return confirm_buttons(language, result.pending_action["id"]) if result.pending_action else None


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps, user, chat = _deps(context), update.effective_user, update.effective_chat
    code = (context.args or [""])[0]
    if user is None or chat is None or not code:
        found = await _person(update, deps)
        await _reply(update, _said(update, "bot.help" if found else "bot.not_linked"))
        return
    try:
        async with unit_of_work(deps.sessions) as session:
            account = await telegram.redeem(
                session, code=code, telegram_user_id=user.id, chat_id=chat.id, now=_now()
            )
            orgs = await telegram.memberships(session, account)
    except DomainError as exc:
        await _reply(update, texts.refusal(_language(update), exc.message))
        return
    chosen = await _chosen_language(deps, account.user_id)
    await _learn_language(update, deps, chosen, orgs[0].tenant(account.user_id) if len(orgs) == 1 else None)
    names = ", ".join(m.name for m in orgs) or _said(update, "org.none_yet")
    connected = texts.say(_language(update), "bot.connected", names=names)
    await _reply(update, f"{connected}\n\n{_said(update, 'bot.help')}")


async def _chosen_language(deps: BotDeps, user_id: uuid.UUID) -> str | None:
    async with unit_of_work(deps.sessions) as session:
        return await session.scalar(select(User.language).where(User.id == user_id))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _person(update, _deps(context))
    await _reply(update, _said(update, "bot.help" if found else "bot.not_linked"))


async def choose_org(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = _deps(context)
    found = await _person(update, deps)
    if found is None:
        await _reply(update, _said(update, "bot.not_linked"))
        return
    async with unit_of_work(deps.sessions) as session:
        orgs = await telegram.memberships(session, found[0])
    buttons = [[InlineKeyboardButton(m.name, callback_data=f"org:{m.organization_id}")] for m in orgs]
    await _reply(update, _said(update, "org.which" if orgs else "org.none"), InlineKeyboardMarkup(buttons))


async def _tool(update: Update, deps: BotDeps, tenant: TenantContext, name: str) -> None:
    async with unit_of_work(deps.sessions, tenant) as session:
        now, language = _now(), _language(update)
        ctx = ToolContext(session=session, tenant=tenant, today=tenant.today(), now=now, language=language)
        outcome = await runner.call(ctx, name, {})
    await _reply(update, outcome.output.text)


@_linked
async def unpaid(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    await _tool(update, deps, tenant, "unpaid_students")


async def _ask(
    update: Update, deps: BotDeps, tenant: TenantContext, said: str, attachment: Attachment | None = None
) -> None:
    """The copilot answers in this chat's conversation; a write comes back with its buttons."""
    chat = update.effective_chat
    if chat is None:
        return
    async with unit_of_work(deps.sessions, tenant) as session:
        result = await deps.copilot.ask(
            session,
            tenant,
            said,
            channel="telegram",
            chat=str(chat.id),
            today=tenant.today(),
            now=_now(),
            attachment=attachment,
        )
    png = await report_chart.chart_of(deps.sessions, tenant, result)  # a report's answer comes with its chart
    await report_chart.send_with_chart(chat, result.answer, png, _buttons(result, _language(update)))
    await send_spreadsheet(deps.sessions, tenant, chat, result)  # "send me that as a spreadsheet": the file


@_linked
async def attachment(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """A photo or PDF: checked like a web upload, staged, then the caption goes to the copilot with it
    ("this is Ana's transfer for October"), which previews attaching it as that student's receipt."""
    message, chat, copilot = update.effective_message, update.effective_chat, deps.copilot
    if message is None or chat is None or copilot.receipts is None:
        return
    file = message.photo[-1] if message.photo else message.document
    if file is None:
        return
    limit = copilot.receipt_max_bytes
    if file.file_size and file.file_size > limit:
        await _reply(update, texts.say(_language(update), "file.too_large", mb=limit // (1024 * 1024)))
        return
    if not message.caption:
        await _reply(update, _said(update, "file.caption"))
        return
    data = bytes(await (await file.get_file()).download_as_bytearray())
    kind = receipts.sniff(data, max_bytes=limit)  # refused here, as on the web, before anything is kept
    key = f"staging/{uuid.uuid4()}"
    await copilot.receipts.save(key, data, kind)
    name = getattr(file, "file_name", None) or f"telegram-{message.message_id}.{kind.rsplit('/', 1)[-1]}"
    await _ask(
        update, deps, tenant, message.caption, Attachment(staged_key=key, filename=name, size=len(data))
    )


@_linked
async def statement(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """A bank statement file: imported, its proposals summarised (channels/telegram/statements.py)."""
    await _reply(update, await statements.import_from_chat(update, deps.sessions, tenant))


@_linked
async def text(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await _ask(update, deps, tenant, message.text)


def build_application(
    token: str, deps: BotDeps, *, api_url: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot without an updater: the webhook (or polling) feeds it updates. ``api_url`` is another
    Bot API server (a self-hosted ``telegram-bot-api``, or the fake one of the tests and the demo)."""
    builder = Application.builder().token(token).updater(None)
    if api_url:
        root = api_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    application = builder.build()
    from channels.telegram import decisions, language, teacher_day  # they use this module's helpers

    application.bot_data["deps"] = deps
    application.add_handler(TypeHandler(Update, private_only), group=-1)  # before every handler
    application.add_error_handler(on_error)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("org", choose_org))
    application.add_handler(CommandHandler("unpaid", unpaid))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    receipt_files = filters.PHOTO | filters.Document.MimeType("application/pdf") | filters.Document.IMAGE
    application.add_handler(MessageHandler(receipt_files, attachment))
    application.add_handler(MessageHandler(statements.STATEMENT_FILES, statement))
    teacher_day.register(application)  # /today, /roll, /sick, /cover and their buttons
    language.register(application)  # /language, /idioma and their buttons
    application.add_handler(CallbackQueryHandler(decisions.button))
    return application
