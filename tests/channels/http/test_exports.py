"""`?format=csv|xlsx` on the REST lists: the same rows as the JSON (and the same role checks), formulas
escaped, money as numbers with the currency in its own column, dates ISO, headers in the request's language.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from httpx import AsyncClient, Response
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance import service as attendance
from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark
from domain.db import use_tenant
from domain.exports.cells import csv_text, escape_text, unescape_text
from domain.payments import service as payments
from domain.payments.schemas import PaymentIn
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.students import service as students
from domain.students.schemas import StudentIn
from tests.channels.http.test_teacher_visibility import HIDDEN_STUDENT, logged_in, scene

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTIONS = ['=HYPERLINK("http://evil.example")', "+1+2", "-3+cmd", "@SUM(A1:A2)"]


def table(r: Response) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())  # Excel opens accents right only with a BOM
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def workbook_rows(r: Response) -> list[tuple[object, ...]]:
    assert r.status_code == 200 and r.headers["content-type"] == XLSX, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def test_a_cell_that_would_run_as_a_formula_is_escaped_and_comes_back() -> None:
    for text in [*INJECTIONS, "\tTab", "\rReturn"]:
        assert escape_text(text) == "'" + text
        assert unescape_text(escape_text(text)) == text
    for text in ("Ana García", "'quoted", "600 111 222", "a=b"):  # the controls: left alone
        assert escape_text(text) == text and unescape_text(text) == text
    assert csv_text(Decimal("45.50")) == "45.50" and csv_text(None) == ""


async def test_students_export_as_csv_and_xlsx_with_formulas_escaped_in_either_language(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    await use_tenant(session, s.studio.admin)
    for name in INJECTIONS:
        await students.create_student(session, s.studio.admin, data=StudentIn(full_name=name, notes=name))
    office = await logged_in(session, make_client(), s.studio.admin.user_id)

    rows = table(await office.get("/students", params={"format": "csv"}))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["Full name", "Email", "Phone", "Date of birth", "Notes", "Family", "Groups"]
    names = {r[0] for r in body}
    assert {"Ana García", HIDDEN_STUDENT} <= names
    assert {"'" + n for n in INJECTIONS} <= names  # escaped: no spreadsheet runs them
    assert not any(n in names for n in INJECTIONS)
    ana = next(r for r in body if r[0] == "Ana García")
    assert ana[1] == "ana@contact.example" and ana[2] == "'+34600333444"  # E.164 starts with '+': escaped
    assert ana[6] == "Salsa Beginners (since 2026-09-01)"

    xlsx = await office.get("/students", params={"format": "xlsx"})
    sheet = workbook_rows(xlsx)
    assert sheet[0][0] == "Full name"
    cells = {row[0] for row in sheet[1:]}
    assert set(INJECTIONS) <= cells  # xlsx keeps the text as it is, typed as a string (never a formula)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.active is not None
    typed = [
        c.data_type for row in book.active.iter_rows(min_row=2) for c in row[:1] if c.value in INJECTIONS
    ]
    assert typed == ["s"] * len(INJECTIONS)

    # Headers in the request's language; a format nobody offers is a 422 in the envelope.
    spanish = table(await office.get("/students?format=csv", headers={"Accept-Language": "es-ES,es;q=0.9"}))
    assert spanish[0][:3] == ["Nombre completo", "Email", "Teléfono"]
    assert "Salsa Beginners (desde 2026-09-01)" in {r[6] for r in spanish[1:]}
    asked = table(await office.get("/teachers", params={"format": "csv", "lang": "es"}))
    assert "Nombre completo" in asked[0] and "Tarifa por alumno" in asked[0]
    english = table(await office.get("/teachers", params={"format": "csv"}))  # the control
    assert "Full name" in english[0] and "Nombre completo" not in english[0]
    r = await office.get("/students", params={"format": "pdf"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


async def test_a_teacher_exports_only_what_the_json_shows_them_and_money_stays_a_number(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    own = table(await teacher.get("/students", params={"format": "csv"}))
    assert {r[0] for r in own[1:]} == {"Ana García", "José Martínez"}  # their students, not Beatriz
    assert "ana@contact.example" not in str(own)  # nor contact details
    colleagues = table(await teacher.get("/teachers", params={"format": "csv"}))
    assert "45.00" not in str(colleagues) and "Marco Bianchi" in str(colleagues)
    refused = await teacher.get("/billing/unpaid", params={"format": "csv"})
    assert refused.status_code == 403  # money is the office's, as in JSON
    office = await logged_in(session, make_client(), s.studio.admin.user_id)
    assert (await office.get("/billing/unpaid", params={"format": "csv"})).status_code == 200

    # Money: a number, with the currency in its own column; dates ISO.
    rows = table(await office.get("/payments", params={"format": "csv"}))
    header = rows[0]
    payment = dict(zip(header, rows[1], strict=True))
    assert payment["Amount"] == "63.20" and payment["Currency"] == "EUR"
    assert payment["Received on"] == s.studio.admin.today().isoformat()
    sheet = workbook_rows(await office.get("/payments", params={"format": "xlsx"}))
    amount = sheet[1][list(sheet[0]).index("Amount")]
    assert isinstance(amount, int | float) and abs(float(amount) - 63.2) < 1e-9


async def test_attendance_lists_pages_and_exports_only_the_callers_classes(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    admin, today = s.studio.admin, s.studio.admin.today()
    await use_tenant(session, admin)
    ana, jose = s.studio.students["Ana"], s.studio.students["José"]
    for hour in (17, 20):
        own = await sessions.create_session(
            session, admin, data=SessionIn(group_id=s.studio.salsa.id, date=today, start_time=time(hour))
        )
        marks = [Mark(student_id=ana.id, status=AttendanceStatus.PRESENT)]
        marks.append(Mark(student_id=jose.id, status=AttendanceStatus.LATE))
        await attendance.mark_attendance(
            session, admin, own.id, marks=marks, today=today, now=s.studio.admin.now()
        )
    office = await logged_in(session, make_client(), admin.user_id)
    first = await office.get("/attendance", params={"limit": 2})
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "5"  # 4 in Salsa + Beatriz
    second = await office.get("/attendance", params={"limit": 2, "offset": 2})
    rest = await office.get("/attendance", params={"offset": 4})
    seen = [r["student"] for r in first.json() + second.json() + rest.json()]
    assert sorted(seen) == sorted(["Ana García", "José Martínez"] * 2 + [HIDDEN_STUDENT])
    exported = table(await office.get("/attendance", params={"format": "csv"}))
    assert len(exported) == 6 and exported[0][0] == "Date"
    assert exported[1][:2] == [today.isoformat(), "17:00"]

    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    theirs = table(await teacher.get("/attendance", params={"format": "csv"}))
    assert len(theirs) == 5 and HIDDEN_STUDENT not in str(theirs)  # Salsa's marks, not Bachata's
    listed = await teacher.get("/attendance")
    assert listed.headers["X-Total-Count"] == "4" and HIDDEN_STUDENT not in listed.text
    sheet = workbook_rows(await office.get("/attendance", params={"format": "xlsx", "lang": "es"}))
    assert sheet[0][:3] == ("Fecha", "Hora", "Grupo") and len(sheet) == 6


async def test_an_export_holds_one_organization_only(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    other = await scene(session)  # a second school with students of the same names
    await use_tenant(session, other.studio.admin)
    await students.create_student(session, other.studio.admin, data=StudentIn(full_name="Solo En Otra"))
    await payments.record_payment(
        session,
        other.studio.admin,
        data=PaymentIn(
            student_id=other.studio.students["Ana"].id,
            amount=Decimal("99.99"),
            received_on=other.studio.admin.today(),
        ),
    )
    office = await logged_in(session, make_client(), s.studio.admin.user_id)
    mine = await office.get("/students", params={"format": "csv"})
    assert "Ana García" in mine.text and "Solo En Otra" not in mine.text
    assert "99.99" not in (await office.get("/payments", params={"format": "csv"})).text
    theirs = await logged_in(session, make_client(), other.studio.admin.user_id)  # the positive control
    assert "Solo En Otra" in (await theirs.get("/students", params={"format": "csv"})).text
    assert "99.99" in (await theirs.get("/payments", params={"format": "csv"})).text


async def test_a_list_of_records_becomes_a_whole_file_for_a_chat_to_send() -> None:
    """The piece the copilot's "send me that as a spreadsheet" needs: a tool answer's rows as a file."""
    from domain.exports.files import records_table, render
    from domain.exports.writers import Format
    from domain.payments.schemas import UnpaidStudent

    unpaid = [
        UnpaidStudent(
            student_id=uuid.UUID(int=1),
            full_name="=Lola",
            charged=Decimal("45.00"),
            paid=Decimal("0.00"),
            outstanding=Decimal("45.00"),
            due_date=date(2026, 11, 5),
            status="overdue",
            days_overdue=25,
        )
    ]
    table, rows = records_table("unpaid", unpaid, currency="EUR")
    text = (await render(Format.CSV, table, rows, language="es")).decode("utf-8-sig")
    header, line = list(csv.reader(io.StringIO(text)))
    assert header[1] == "Nombre completo" and header[-1] == "Moneda"
    assert line[1:4] == ["'=Lola", "45.00", "0.00"] and line[5] == "2026-11-05" and line[-1] == "EUR"
    book = load_workbook(io.BytesIO(await render(Format.XLSX, *records_table("x", [{"a": 1, "b": "@x"}]))))
    assert book.active is not None and list(book.active.iter_rows(values_only=True)) == [
        ("A", "B"),
        (1, "@x"),
    ]
