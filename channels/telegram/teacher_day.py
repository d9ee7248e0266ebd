"""A teacher's day in the bot: /today (each class with its roll button), /roll, /sick (a sick day), /cash, and
the office's /cover (a substitute or a cancellation for each class of a teacher who is off).

Every write here is a tool's pending action, confirmed with the same Confirm / Cancel buttons as the
copilot's (``decisions.button``): reporting a sick day (``report_sick_day``), covering or cancelling a class
(``cover_sick_day``), saving a roll (``mark_attendance``, see ``roll.py``).

/cash notes cash a student handed over in class (``report_cash``: awaiting the office's verification).

The /sick and /cover buttons are signed for the person they were sent to, like the roll's: pressed by
anyone else they do nothing. Layout: ``K`` · op (``d`` day, ``s`` substitute?, ``t`` this teacher,
``c`` cancel) · tag (8) · class id or date · teacher id.
"""

from __future__ import annotations

import base64
import hmac
import uuid
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from channels.telegram import roll, texts
from channels.telegram.bot import BotDeps, _deps, _language, _linked, _now, _person, _reply
from domain.absences import service as absences
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.notifications.models import TelegramAccount
from domain.sessions.service import get_session
from domain.teachers.service import list_teachers
from domain.telegram import roll as roll_service
from domain.tenancy import TenantContext
from tools import runner
from tools.base import ToolContext

SICK_DAYS_AHEAD = 7


def _person_id(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def _short(value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(value.bytes).rstrip(b"=").decode()


def _long(text: str) -> uuid.UUID:
    return uuid.UUID(bytes=base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _signed(signer: roll.Signer, person: int, op: str, body: str) -> str:
    return f"K{op}{signer.tag(person, op + body)}{body}"


def _said(language: str, missed: absences.MissedClass) -> str:
    """ "Salsa Beginners, Tue 1 Dec 19:00" / "Salsa Beginners, mar 1 dic 19:00"."""
    name = missed.group or texts.say(language, "class.one_off")
    return f"{name}, {texts.when(language, missed.day, missed.start)}"


def _confirm_buttons(language: str, action_id: str) -> InlineKeyboardMarkup:
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


@_linked
async def today(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """The day's classes, each with a button that opens its roll."""
    async with unit_of_work(deps.sessions, tenant) as session:
        ctx = ToolContext(
            session=session, tenant=tenant, today=tenant.today(), now=_now(), language=_language(update)
        )
        outcome = await runner.call(ctx, "schedule", {})
        found = await roll_service.classes_on(session, tenant, tenant.today())
    signer = roll.Signer(update.get_bot().token)
    markup = roll.class_buttons(signer, _person_id(update), _language(update), found) if found else None
    await _reply(update, outcome.output.text, markup)


@_linked
async def roll_command(
    update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext
) -> None:
    signer = roll.Signer(update.get_bot().token)
    reply = await roll.open_today(deps.sessions, tenant, signer, _person_id(update), _language(update))
    await _reply(update, reply.text, reply.markup)


async def roll_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of a roll: only for the person it was sent to, and only while the message shows it."""
    query, deps = update.callback_query, _deps(context)
    if query is None:
        return
    await query.answer()
    found = await _person(update, deps)
    if found is None or found[1] is None:
        return
    signer = roll.Signer(context.bot.token)
    try:
        reply = await roll.pressed(query, deps.sessions, found[1], signer, _language(update), _now())
    except DomainError as exc:
        await _reply(update, texts.refusal(_language(update), exc.message))
        return
    if reply is not None:
        await roll.show(query, reply)


@_linked
async def sick(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """ "Which day?": the next days with a class of theirs, as buttons."""
    language, person, signer = _language(update), _person_id(update), roll.Signer(update.get_bot().token)
    start = tenant.today()
    days: list[date] = []
    async with unit_of_work(deps.sessions, tenant) as session:
        for offset in range(SICK_DAYS_AHEAD):
            day = start + timedelta(days=offset)
            if await roll_service.classes_on(session, tenant, day):
                days.append(day)
    if not days:
        await _reply(update, texts.say(language, "sick.no_classes", days=SICK_DAYS_AHEAD))
        return
    buttons = [
        [
            InlineKeyboardButton(
                texts.when(language, d, None), callback_data=_signed(signer, person, "d", d.isoformat())
            )
        ]
        for d in days
    ]
    await _reply(update, texts.say(language, "sick.which_day"), InlineKeyboardMarkup(buttons))


@_linked
async def cover(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """The office: each class of a teacher who is off, with "substitute" and "cancel" buttons."""
    language, person, signer = _language(update), _person_id(update), roll.Signer(update.get_bot().token)
    async with unit_of_work(deps.sessions, tenant) as session:
        waiting = await absences.uncovered(session, tenant, today=tenant.today())
    if not waiting:
        await _reply(update, texts.say(language, "cover.none"))
        return
    for teacher_name, missed in waiting:
        body = _short(missed.session_id)
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.say(language, "cover.substitute"),
                        callback_data=_signed(signer, person, "s", body),
                    ),
                    InlineKeyboardButton(
                        texts.say(language, "cover.cancel"), callback_data=_signed(signer, person, "c", body)
                    ),
                ]
            ]
        )
        await _reply(
            update,
            texts.say(language, "cover.class", teacher=teacher_name, what=_said(language, missed)),
            buttons,
        )


async def _propose(
    update: Update, deps: BotDeps, tenant: TenantContext, language: str, tool: str, args: dict[str, Any]
) -> None:
    """A tool's preview with Confirm / Cancel, or its question or refusal as a sentence."""
    async with unit_of_work(deps.sessions, tenant) as session:
        ctx = ToolContext(session=session, tenant=tenant, today=tenant.today(), now=_now(), language=language)
        outcome = await runner.call(ctx, tool, args, channel="telegram")
    markup = _confirm_buttons(language, str(outcome.pending.id)) if outcome.pending else None
    await _reply(
        update,
        texts.refusal(language, outcome.output.text) if outcome.failed else outcome.output.text,
        markup,
    )


async def sick_or_cover_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /sick day or a /cover choice: only for the person it was sent to."""
    query, deps = update.callback_query, _deps(context)
    if query is None or not query.data:
        return
    await query.answer()
    found = await _person(update, deps)
    if found is None or found[1] is None:
        return
    tenant, language, person = found[1], _language(update), _person_id(update)
    signer, data = roll.Signer(context.bot.token), query.data
    op, body = data[1:2], data[10:]
    if len(data) < 11 or not hmac.compare_digest(_signed(signer, person, op, body), data):
        return  # someone else's button, or not ours at all: nothing
    if op == "d":
        await _propose(update, deps, tenant, language, "report_sick_day", {"date": body})
        return
    session_id = _long(body[:22])
    async with unit_of_work(deps.sessions, tenant) as session:
        row = await get_session(session, tenant, session_id)
        missed = (await absences.missed_classes(session, [row]))[0]
        teachers = await list_teachers(session, tenant) if op in ("s", "t") else []
    if op == "c":
        await _propose(
            update,
            deps,
            tenant,
            language,
            "cover_sick_day",
            {"group": missed.group, "date": str(row.date), "cancel": True},
        )
    elif op == "s":
        buttons = [
            [
                InlineKeyboardButton(
                    t.full_name, callback_data=_signed(signer, person, "t", body[:22] + _short(t.id))
                )
            ]
            for t in teachers
            if t.id != row.teacher_id
        ]
        await _reply(
            update,
            texts.say(language, "cover.who", what=_said(language, missed)),
            InlineKeyboardMarkup(buttons),
        )
    elif op == "t":
        chosen = next((t for t in teachers if t.id == _long(body[22:44])), None)
        if chosen is not None:
            args = {"group": missed.group, "date": str(row.date), "substitute": chosen.full_name}
            await _propose(update, deps, tenant, language, "cover_sick_day", args)


@_linked
async def cash(update: Update, deps: BotDeps, account: TelegramAccount, tenant: TenantContext) -> None:
    """ "/cash Ana García 45": cash handed over in class, noted for the office to verify (preview first)."""
    language = _language(update)
    words = (update.effective_message.text or "").split()[1:] if update.effective_message else []
    amount = words[-1].replace(",", ".") if words else ""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal(0)
    if len(words) < 2 or not value.is_finite() or value <= 0:
        await _reply(update, texts.say(language, "cash.usage"))
        return
    await _propose(
        update, deps, tenant, language, "report_cash", {"student": " ".join(words[:-1]), "amount": str(value)}
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("today", today))
    application.add_handler(CommandHandler("roll", roll_command))
    application.add_handler(CommandHandler("sick", sick))
    application.add_handler(CommandHandler("cover", cover))
    application.add_handler(CommandHandler("cash", cash))
    application.add_handler(CallbackQueryHandler(roll_button, pattern=r"^R"))
    application.add_handler(CallbackQueryHandler(sick_or_cover_button, pattern=r"^K"))
