"""A copilot answer that is a report comes with its chart in Telegram: through the fake Bot API server, the
bot uploads a PNG photo (sendPhoto) captioned with the answer; an answer that is not a report, a narrowed
read and a refusal send no photo. The long-answer path (the text split, then the photo) and the report
tool's data (the report itself, nothing read again) are checked without a server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Chat

from channels.telegram.charts import CAPTION_LIMIT, report_of, send_with_chart
from channels.telegram.fake_api import Person, Shown
from copilot.service import TurnResult
from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import unit_of_work
from domain.payments import service as payments
from domain.reports.schemas import RevenueMonthRow, RevenueReport
from tests.channels.telegram_fake import (  # noqa: F401 - the *_fixture one is a fixture, shared
    FakeTelegram,
    class_today,
    fake_telegram_fixture,
)
from tests.channels.telegram_support import studio
from tests.copilot.conftest import checkpointer  # noqa: F401 - the fixture, shared

PNG = b"\x89PNG\r\n\x1a\n"
OFFICE = Person(7101, "Admin")
OFICINA = Person(OFFICE.id, "Admin", language_code="es")  # the same person, their app in Spanish
LUCIA = Person(7103, "Lucía")


def _new(fake: FakeTelegram, person: Person, since: int) -> list[Shown]:
    return fake.api.bot_messages(person.id)[since:]


async def _ask(fake: FakeTelegram, person: Person, said: str) -> list[Shown]:
    before = len(fake.api.bot_messages(person.id))
    await fake.api.say(person, said)
    return _new(fake, person, before)


async def test_a_report_answer_comes_with_its_chart_and_other_answers_without(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    school = await studio(sessions)
    today = school.admin.today()
    lesson = await class_today(sessions, school, today)
    async with unit_of_work(sessions, school.admin) as session:  # a mark, and this month's tuition
        marks = [Mark(student_id=school.students["Ana"].id, status=AttendanceStatus.PRESENT)]
        now = datetime.now(UTC)
        await attendance.mark_attendance(session, school.admin, lesson.id, marks=marks, today=today, now=now)
        await payments.generate_tuition(session, school.admin, month=today, today=today)
        # Last month's tuition too, all of it due within last month: "revenue this month" in the first
        # days of a month (before the due day) has nothing expected yet, and nothing to draw.
        last_month = today.replace(day=1) - timedelta(days=1)
        await payments.generate_tuition(session, school.admin, month=last_month, today=today)
    await fake_telegram.set_webhook()
    for person, user in ((OFFICE, school.admin), (LUCIA, school.teacher)):
        await fake_telegram.link(person, user.user_id)

    for person, said, opens in (
        (OFFICE, "attendance this month", "Attendance"),
        (OFFICE, "revenue last month", "Revenue"),
        (OFICINA, "ingresos del mes pasado", "Ingresos"),
    ):
        sent = await _ask(fake_telegram, person, said)
        assert len(sent) == 1, (said, [m.text for m in sent])
        photo = sent[0].photo
        drawn = photo is not None and photo.startswith(PNG) and len(photo) > 5000  # a PNG with a chart
        assert drawn, (said, sent[0].text)
        assert sent[0].text.startswith(opens), (said, sent[0].text)  # the answer is its caption
    uploads = [c for c in fake_telegram.api.calls if c.method == "sendPhoto"]
    assert len(uploads) == 3

    for person, said in (
        (OFFICE, "who hasn't paid?"),  # a list, not a report
        (OFFICE, "attendance in January 2026"),  # nothing marked then: nothing to draw
        (OFFICE, "attendance of Salsa Beginners this month"),  # narrowed: the school's chart would mislead
        (LUCIA, "revenue this month"),  # refused to a teacher: the office's money, and no chart of it
    ):
        sent = await _ask(fake_telegram, person, said)
        assert sent and all(m.photo is None for m in sent), (said, [m.text for m in sent])
    assert len([c for c in fake_telegram.api.calls if c.method == "sendPhoto"]) == 3


@dataclass
class _Chat:
    """Records what the bot sends to a chat (the order matters here, not Telegram)."""

    id: int = 1
    sent: list[tuple[str, Any]] = field(default_factory=list)

    async def send_message(self, text: str, reply_markup: Any = None) -> None:
        self.sent.append(("text", text))

    async def send_photo(self, photo: bytes, caption: str | None = None, reply_markup: Any = None) -> None:
        self.sent.append(("photo", caption))


async def test_a_long_answer_is_split_and_the_chart_follows_it() -> None:
    chat = _Chat()
    long_text = "\n".join(f"- Grupo {n:03d}: 12 inscritos de 16, asistencia 83 %" for n in range(150))
    assert len(long_text) > 4000  # over a caption and over one message
    await send_with_chart(cast(Chat, chat), long_text, PNG)
    kinds = [kind for kind, _ in chat.sent]
    assert kinds[-1] == "photo" and chat.sent[-1][1] is None and set(kinds[:-1]) == {"text"}
    assert len(kinds) >= 3 and "\n".join(t for k, t in chat.sent if k == "text") == long_text

    short = _Chat()
    await send_with_chart(cast(Chat, short), "Revenue this month: expected 90.00 EUR.", PNG)
    assert short.sent == [("photo", "Revenue this month: expected 90.00 EUR.")]  # one message, captioned
    plain = _Chat()
    await send_with_chart(cast(Chat, plain), "x" * (CAPTION_LIMIT + 1), None)
    assert [k for k, _ in plain.sent] == ["text"]  # no chart: just the text


async def test_the_report_tools_data_is_the_report(sessions: async_sessionmaker[AsyncSession]) -> None:
    school = await studio(sessions)
    month = RevenueMonthRow(
        month=date(2026, 10, 1),
        expected=Decimal("90.00"),
        collected=Decimal("45.00"),
        outstanding=Decimal("45.00"),
        received=Decimal("45.00"),
    )
    report = RevenueReport(
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        as_of=date(2026, 10, 31),
        currency="EUR",
        expected=Decimal("90.00"),
        collected=Decimal("45.00"),
        received=Decimal("45.00"),
        rows=[month],
        by_group=[],
        by_method=[],
        outstanding_by_age=[],
    )

    def answer(name: str, data: Any, pending: dict[str, str] | None = None) -> TurnResult:
        return TurnResult("…", [{"name": name, "args": {}}], pending, data)

    data = {"report": "revenue", **report.model_dump(mode="json")}
    assert await report_of(sessions, school.admin, answer("report", data)) == report
    assert await report_of(sessions, school.admin, answer("report", {"report": "planets"})) is None
    assert await report_of(sessions, school.admin, answer("report", {"report": "revenue"})) is None  # no rows
    assert await report_of(sessions, school.admin, answer("unpaid_students", data)) is None
    waiting = {"id": "x", "preview": "…", "expires_at": "…"}
    assert await report_of(sessions, school.admin, answer("report", data, waiting)) is None  # a write


async def test_a_chart_draws_only_the_askers_school(
    fake_telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    marked, quiet = await studio(sessions), await studio(sessions)  # two schools; marks in one only
    today = marked.admin.today()
    lesson = await class_today(sessions, marked, today)
    async with unit_of_work(sessions, marked.admin) as session:
        marks = [Mark(student_id=marked.students["Ana"].id, status=AttendanceStatus.PRESENT)]
        now = datetime.now(UTC)
        await attendance.mark_attendance(session, marked.admin, lesson.id, marks=marks, today=today, now=now)
    await fake_telegram.set_webhook()
    theirs, ours = Person(7201, "Marked"), Person(7202, "Quiet")
    await fake_telegram.link(theirs, marked.admin.user_id)
    await fake_telegram.link(ours, quiet.admin.user_id)

    (answer,) = await _ask(fake_telegram, ours, "attendance this month")
    assert answer.photo is None and answer.text.startswith("No attendance marked")  # not the other school's
    (answer,) = await _ask(fake_telegram, theirs, "attendance this month")
    assert answer.photo is not None and answer.photo.startswith(PNG)  # the control: its own marks, drawn
