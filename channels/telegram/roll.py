"""The roll in a few taps: a class's roster as buttons (present by default, a tap cycles present → absent
→ late → excused), "Save" → the preview of what it records and changes → Confirm, through the
`mark_attendance` tool's pending action (the one guarded path for writes: applied once, by its asker).

The roll being taken lives in the buttons themselves: each button's callback data carries the whole
roll as it will be after that tap (2 bits a student), so nothing is stored until Save, a restart loses
nothing, and a tap delivered twice sets the same roll twice. Each callback data is signed for the person
it was sent to (an HMAC keyed with the bot's token, 48 bits), so nobody else's tap does anything, and it
fits Telegram's 64 bytes for up to ``MAX_STUDENTS``; a tap on a button the message no longer shows
(an old keyboard, a second Save) is ignored.

Layout of the data: ``R`` · op (``o`` open, ``v`` view, ``s`` save) · page (base 36) · tag (8) · class id
(22, base64url) · roster fingerprint (3) · marks (base64url, 2 bits each, in name order).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from channels.telegram import texts
from domain.actions import service as actions
from domain.attendance.models import AttendanceStatus
from domain.attendance.rules import UNMARKED, changes_of
from domain.attendance.schemas import Mark
from domain.db import unit_of_work
from domain.errors import Invalid
from domain.telegram.roll import ClassRoll, DayClass, class_roll, classes_on
from domain.tenancy import TenantContext

CYCLE = (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED)
ICONS = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.ABSENT: "❌",
    AttendanceStatus.LATE: "⏰",
    AttendanceStatus.EXCUSED: "📝",
}
PAGE_SIZE = 10
CALLBACK_LIMIT = 64
_HEAD = 1 + 1 + 1 + 8 + 22 + 3  # R, op, page, tag, class id, fingerprint
MAX_STUDENTS = (CALLBACK_LIMIT - _HEAD) * 6 // 8 * 4  # what the marks' characters can carry
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pack(codes: list[int]) -> str:
    packed = bytearray((len(codes) + 3) // 4)
    for index, code in enumerate(codes):
        packed[index // 4] |= code << (2 * (index % 4))
    return _b64(bytes(packed))


def unpack(text: str, count: int) -> list[int]:
    packed = _unb64(text)
    if len(packed) != (count + 3) // 4:
        raise ValueError("not a roll of this class")
    return [(packed[i // 4] >> (2 * (i % 4))) & 3 for i in range(count)]


def fingerprint(roll: ClassRoll) -> str:
    """Who is on the roll, in which order: a tap made on another list is refused, not misapplied."""
    return _b64(hashlib.sha256(b"".join(s.student_id.bytes for s in roll.students)).digest())[:3]


@dataclass(frozen=True)
class Pressed:
    op: str
    page: int
    session_id: uuid.UUID
    fingerprint: str
    marks: str


class Signer:
    """Signs callback data for the person it is sent to, with the bot's token as the key."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def tag(self, person: int, unsigned: str) -> str:
        return _b64(hmac.new(self._key, f"{person}:{unsigned}".encode(), hashlib.sha256).digest())[:8]

    def data(
        self, person: int, op: str, page: int, session_id: uuid.UUID, fp: str = "", marks: str = ""
    ) -> str:
        body = _b64(session_id.bytes) + fp + marks
        data = f"R{op}{_DIGITS[page]}{self.tag(person, op + _DIGITS[page] + body)}{body}"
        assert len(data.encode()) <= CALLBACK_LIMIT, "a roll that does not fit was not refused"
        return data

    def read(self, person: int, data: str) -> Pressed | None:
        """The press, if ``data`` was signed for ``person``; None for anyone else or a forgery."""
        if len(data) < 3 + 8 + 22 or data[0] != "R":
            return None
        op, page, tag, body = data[1], data[2], data[3:11], data[11:]
        if not hmac.compare_digest(tag, self.tag(person, op + page + body)):
            return None
        try:
            session_id = uuid.UUID(bytes=_unb64(body[:22]))
        except ValueError:
            return None
        return Pressed(op, _DIGITS.index(page), session_id, body[22:25], body[25:])


def _name(language: str, day_class: DayClass) -> str:
    return day_class.name or texts.say(language, "class.one_off")


def _summary(language: str, statuses: list[AttendanceStatus]) -> str:
    counts = [(s, statuses.count(s)) for s in CYCLE]
    return ", ".join(texts.counted(language, n, s.value) for s, n in counts if n)


def starting_marks(roll: ClassRoll) -> list[int]:
    """Present by default; a mark recorded earlier shows as it is."""
    return [CYCLE.index(roll.recorded.get(s.student_id, AttendanceStatus.PRESENT)) for s in roll.students]


def view(
    signer: Signer, person: int, language: str, roll: ClassRoll, codes: list[int], page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The roll's message: a line of totals, a page of name buttons, the pages, and Save."""
    day_class, fp = roll.day_class, fingerprint(roll)
    pages = max(1, math.ceil(len(roll.students) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    statuses = [CYCLE[c] for c in codes]
    head = texts.say(
        language,
        "roll.head",
        name=_name(language, day_class),
        when=texts.when(language, day_class.day, day_class.start),
        summary=_summary(language, statuses),
    )

    def signed(op: str, to_page: int, marks: list[int]) -> str:
        return signer.data(person, op, to_page, day_class.session_id, fp, pack(marks))

    rows = []
    for index in range(page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, len(roll.students))):
        toggled = [*codes[:index], (codes[index] + 1) % len(CYCLE), *codes[index + 1 :]]
        label = f"{ICONS[statuses[index]]} {roll.students[index].full_name}"
        rows.append([InlineKeyboardButton(label, callback_data=signed("v", page, toggled))])
    if pages > 1:
        rows.append(
            [
                InlineKeyboardButton("◀", callback_data=signed("v", (page - 1) % pages, codes)),
                InlineKeyboardButton(
                    texts.say(language, "roll.page", page=page + 1, pages=pages),
                    callback_data=signed("v", page, codes),
                ),
                InlineKeyboardButton("▶", callback_data=signed("v", (page + 1) % pages, codes)),
            ]
        )
    rows.append(
        [InlineKeyboardButton(texts.say(language, "roll.save"), callback_data=signed("s", page, codes))]
    )
    return head, InlineKeyboardMarkup(rows)


def class_buttons(signer: Signer, person: int, language: str, found: list[DayClass]) -> InlineKeyboardMarkup:
    """One button per class of the day, each opening its roll (the agenda and /roll's question)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.say(
                        language,
                        "roll.take",
                        what=f"{c.start.strftime('%H:%M') + ' ' if c.start else ''}{_name(language, c)}",
                    ),
                    callback_data=signer.data(person, "o", 0, c.session_id),
                )
            ]
            for c in found
        ]
    )


@dataclass(frozen=True)
class Reply:
    """What to show: a new message, or the pressed message edited (``edit``)."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    edit: bool = False


async def open_today(
    sessions: async_sessionmaker[AsyncSession],
    tenant: TenantContext,
    signer: Signer,
    person: int,
    language: str,
) -> Reply:
    """/roll: the class of the day (its roll at once when there is one), or which class."""
    async with unit_of_work(sessions, tenant) as session:
        found = await classes_on(session, tenant, tenant.today())
        if len(found) == 1:
            return await _opened(session, tenant, signer, person, language, found[0].session_id, edit=False)
    if not found:
        return Reply(texts.say(language, "roll.none_today"))
    return Reply(texts.say(language, "roll.which"), class_buttons(signer, person, language, found))


async def _opened(
    session: AsyncSession,
    tenant: TenantContext,
    signer: Signer,
    person: int,
    language: str,
    session_id: uuid.UUID,
    *,
    edit: bool,
) -> Reply:
    roll = await class_roll(session, tenant, session_id)
    if not roll.students:
        day_class = roll.day_class
        said = texts.when(language, day_class.day, day_class.start)
        return Reply(texts.say(language, "roll.empty", name=_name(language, day_class), when=said), edit=edit)
    if len(roll.students) > MAX_STUDENTS:
        raise Invalid(texts.say(language, "roll.too_many", limit=MAX_STUDENTS))
    text, markup = view(signer, person, language, roll, starting_marks(roll), 0)
    return Reply(text, markup, edit=edit)


def _shows(message: object, data: str) -> bool:
    """Whether the pressed message still carries this button (an edited keyboard drops old ones)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(b.callback_data == data for row in message.reply_markup.inline_keyboard for b in row)


async def pressed(
    query: CallbackQuery,
    sessions: async_sessionmaker[AsyncSession],
    tenant: TenantContext,
    signer: Signer,
    language: str,
    now: datetime,
) -> Reply | None:
    """A roll button: None (nothing at all) unless it was sent to this person and is still shown."""
    data, person = query.data or "", query.from_user.id
    press = signer.read(person, data)
    if press is None or not _shows(query.message, data):
        return None
    async with unit_of_work(sessions, tenant) as session:
        if press.op == "o":
            return await _opened(session, tenant, signer, person, language, press.session_id, edit=False)
        roll = await class_roll(session, tenant, press.session_id)
        try:
            if press.fingerprint != fingerprint(roll):
                raise ValueError("the class list changed")
            codes = unpack(press.marks, len(roll.students))
        except ValueError:
            reopened = await _opened(session, tenant, signer, person, language, press.session_id, edit=True)
            return Reply(
                f"{texts.say(language, 'roll.stale')}\n\n{reopened.text}", reopened.markup, edit=True
            )
        if press.op == "v":
            text, markup = view(signer, person, language, roll, codes, press.page)
            return Reply(text, markup, edit=True)
        return await _save(session, tenant, language, roll, codes, now)


async def _save(
    session: AsyncSession,
    tenant: TenantContext,
    language: str,
    roll: ClassRoll,
    codes: list[int],
    now: datetime,
) -> Reply:
    """The preview of the roll as tapped, proposed as the `mark_attendance` tool's pending action: each
    mark carries what was recorded when the preview was made, so Confirm refuses if one changed since."""
    statuses = [CYCLE[c] for c in codes]
    marks = [
        Mark(
            student_id=s.student_id,
            status=status,
            expected=roll.recorded.get(s.student_id, UNMARKED),
        )
        for s, status in zip(roll.students, statuses, strict=True)
    ]
    names = {s.student_id: (s.full_name, s.sort_key) for s in roll.students}
    changes, _ = changes_of(marks, roll.recorded, names)
    if not changes:
        return Reply(texts.say(language, "roll.no_changes"))
    day_class = roll.day_class
    preview = texts.say(
        language,
        "roll.preview",
        name=_name(language, day_class),
        when=texts.when(language, day_class.day, day_class.start),
        summary=_summary(language, statuses),
    )
    if corrections := [c for c in changes if c.before is not None]:
        lines = [
            f"- {c.full_name}: {texts.say(language, f'status.{c.before.value}') if c.before else ''} → "
            f"{texts.say(language, f'status.{c.after.value}')}"
            for c in corrections
        ]
        preview += "\n" + texts.say(language, "roll.changes") + "\n" + "\n".join(lines)
    absent = [str(m.student_id) for m in marks if m.status is AttendanceStatus.ABSENT]
    action = await actions.propose(
        session,
        tenant,
        tool="mark_attendance",
        args={
            "session_id": str(day_class.session_id),
            "absent_ids": absent,
            "marks": [m.model_dump(mode="json") for m in marks],
        },
        preview=preview,
        now=now,
        channel="telegram",
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.say(language, "button.confirm"), callback_data=f"confirm:{action.id}"
                ),
                InlineKeyboardButton(
                    texts.say(language, "button.cancel"), callback_data=f"cancel:{action.id}"
                ),
            ]
        ]
    )
    return Reply(f"{preview}\n{texts.say(language, 'roll.confirm')}", buttons, edit=True)


async def show(query: CallbackQuery, reply: Reply) -> None:
    """Edit the pressed message, or send a new one; an edit that changes nothing (a tap delivered
    twice) is what Telegram refuses as "not modified": nothing to do."""
    if reply.edit:
        try:
            await query.edit_message_text(reply.text, reply_markup=reply.markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    message = query.message
    if isinstance(message, Message):
        await message.chat.send_message(reply.text, reply_markup=reply.markup)
