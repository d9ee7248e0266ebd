"""/language (and /idioma): the person chooses the language the bot speaks with them, kept on their
account (``users.language``, the same setting as the web app's), so it follows them to every message,
to the morning agenda and to the web. "Automatic" hands the choice back to their Telegram app's
language, else their school's locale. Only a linked person has an account to keep it on."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from channels.telegram import texts
from channels.telegram.bot import _deps, _language, _learn_language, _person, _reply, _said
from domain.auth import language as languages
from domain.auth.models import User
from domain.db import unit_of_work
from domain.notifications.models import TelegramAccount
from domain.tenancy import TenantContext

NAMES = {texts.ENGLISH: "English", texts.SPANISH: "Español"}
AUTOMATIC = ("auto", "automatic", "automatico", "automático")
PREFIX = "lang:"


def choices(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=f"{PREFIX}{code}") for code, name in NAMES.items()],
            [InlineKeyboardButton(texts.say(language, "lang.auto"), callback_data=f"{PREFIX}auto")],
        ]
    )


async def _keep(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    found: tuple[TelegramAccount, TenantContext | None],
    wanted: str,
) -> None:
    """Store the choice on the person's account and answer in the language now spoken."""
    account, tenant = found
    chosen: languages.Language | None = None if wanted in AUTOMATIC else "es" if wanted == "es" else "en"
    deps = _deps(context)
    async with unit_of_work(deps.sessions) as session:
        user = await session.get(User, account.user_id)
        assert user is not None  # a linked account belongs to a user
        await languages.set_language(session, user, chosen)
    await _learn_language(update, deps, chosen, tenant)
    await _reply(update, _said(update, "lang.set" if chosen else "lang.unset"))


async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "/language" offers the choices; "/language es" (or en, auto) makes it at once."""
    found = await _person(update, _deps(context))
    if found is None:
        await _reply(update, _said(update, "bot.not_linked"))
        return
    wanted = (context.args or [""])[0].lower()
    if not wanted:
        await _reply(update, _said(update, "lang.which"), choices(_language(update)))
        return
    if wanted not in NAMES and wanted not in AUTOMATIC:
        await _reply(update, _said(update, "lang.unknown"))
        return
    await _keep(update, context, found, wanted)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A choice's button: it sets the language of whoever presses it, and only a linked person's."""
    query = update.callback_query
    if query is None or not query.data:
        return
    await query.answer()
    found = await _person(update, _deps(context))
    if found is None:
        await _reply(update, _said(update, "bot.not_linked"))
        return
    wanted = query.data.removeprefix(PREFIX)
    if wanted in NAMES or wanted in AUTOMATIC:
        await _keep(update, context, found, wanted)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler(["language", "idioma"], command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{PREFIX}"))
