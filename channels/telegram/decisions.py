"""Confirm / Cancel (and the organization chosen with /org): the buttons under every write's preview,
the copilot's and the bot's own. A press is checked against the person who presses it; once decided,
the preview is edited into its outcome without buttons, so the chat offers no second press."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from channels.telegram import texts
from channels.telegram.bot import BotDeps, _deps, _language, _now, _person, _reply, _said
from channels.telegram.replies import MESSAGE_LIMIT, utf16_length
from domain.conversations import service as conversations
from domain.db import unit_of_work
from domain.errors import DomainError
from domain.telegram import service as telegram
from domain.tenancy import TenantContext
from tools import runner
from tools.base import ToolContext

# The runner's preview ends by asking for the press; once pressed, that request is history.
_ASK_TO_CONFIRM = re.compile(r"\s*(Confirm to apply|Confirma para aplicarlo)\.\s*$")

logger = logging.getLogger(__name__)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm / Cancel / an organization: checked against the person who presses it."""
    query, deps = update.callback_query, _deps(context)
    if query is None or not query.data:
        return
    await query.answer()
    found = await _person(update, deps)
    if found is None:
        await _reply(update, _said(update, "bot.not_linked"))
        return
    account, tenant = found
    verb, _, value = query.data.partition(":")
    try:
        if verb == "org":
            async with unit_of_work(deps.sessions) as session:
                chosen = await telegram.choose_organization(session, account, uuid.UUID(value))
            await _reply(update, texts.say(_language(update), "org.now", name=chosen.name))
            return
        if tenant is None:
            await _reply(update, _said(update, "bot.choose_org"))
            return
        answer, outcome = await _decide(deps, tenant, verb, uuid.UUID(value), _language(update))
        await _reply(update, answer)  # first: if it fails, all rolls back and the buttons stay
        if outcome in ("confirmed", "cancelled"):
            await _settle(query, _said(update, f"bot.{outcome}"))
    except (DomainError, ValueError) as exc:
        said = texts.refusal(_language(update), exc.message) if isinstance(exc, DomainError) else None
        await _reply(update, said or _said(update, "bot.bad_button"))


async def _decide(
    deps: BotDeps, tenant: TenantContext, verb: str, action_id: uuid.UUID, language: str
) -> tuple[str, str]:
    """Confirm or cancel: an action of a conversation resumes it (the copilot); one the bot proposed
    itself (a roll, a sick day, a cover, cash: no conversation) is decided here, so that its answer
    is said in the person's language. Either way the action applies once, for its asker only."""
    confirming = verb == "confirm"
    async with unit_of_work(deps.sessions, tenant) as session:
        if await conversations.thread_of_action(session, tenant, action_id) is None:
            now = _now()
            ctx = ToolContext(
                session=session, tenant=tenant, today=tenant.today(), now=now, language=language
            )
            output = await (runner.confirm if confirming else runner.cancel)(ctx, action_id)
            return output.text, "confirmed" if confirming else "cancelled"
        decide: Any = deps.copilot.confirm if confirming else deps.copilot.cancel
        result = await decide(session, tenant, action_id, today=tenant.today(), now=_now())
        return result.answer, result.outcome


async def _settle(query: CallbackQuery, outcome: str) -> None:
    """Turn the preview into its outcome ("Confirmed: Add a note to Ana García: …"): an edit without
    buttons (Telegram drops the inline keyboard of a message edited without one), so the chat offers
    no second press. The decision already stands: a failed edit (a message too old) is only logged."""
    preview = query.message.text if isinstance(query.message, Message) else None
    settled = outcome
    if preview:
        settled = f"{outcome}: {_ASK_TO_CONFIRM.sub('', preview)}"
    if utf16_length(settled) > MESSAGE_LIMIT:  # the last part of a long preview: no room for the label
        settled = outcome
    try:
        await query.edit_message_text(settled)
    except TelegramError:
        logger.warning("Could not replace the buttons of a settled action", exc_info=True)
