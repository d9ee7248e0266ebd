"""The import's preview and apply on a school's real-looking spreadsheet: Spanish headers, accents, phones
written five ways, a duplicate, an empty row, a bad email, a sibling pair and a mother's columns."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEntry
from domain.db import use_tenant
from domain.errors import Forbidden, Invalid
from domain.events.models import DomainEvent
from domain.groups import service as groups
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.imports import service as imports
from domain.students.models import Guardian, Student
from tests.domain.studio import Studio, build_studio

TODAY = date(2026, 11, 30)
MESSY = (
    "Nombre;Apellidos;Teléfono;Correo electrónico;Fecha de nacimiento;Grupo;Familia;"
    "Nombre madre;Teléfono madre\n"
    "Lucía;Fernández Núñez;600 111 222;lucia.fn@example.com;25/03/2015;Salsa Beginners;Fernández;"
    "María Núñez;600-222-333\n"
    "Álvaro;Fernández Núñez;+34 600-111-223;;2017-06-01;Salsa Beginners, Ballet Infantil;Fernández;"
    "María Núñez;\n"
    ";;;;;;;;\n"
    "Iñaki;Etxeberria;0034 600111224;inaki@example;;Hip Hop;;;\n"
    "José Martínez;;(+34) 600.111.225;;;Bachata Improvers;;;\n"
    "lucia;fernandez nuñez;600111226;;25/03/2015;;;;\n"
    'Zoe;Smith;+44 7911 123456;zoe@example.co.uk;;=HYPERLINK("http://x");;;\n'
)


async def _studio(session: AsyncSession) -> Studio:
    studio = await build_studio(session)  # Ana García, José Martínez, Sofía López in Salsa Beginners
    await use_tenant(session, studio.admin)
    return studio


async def test_the_messy_spreadsheet_gives_the_expected_preview(session: AsyncSession) -> None:
    studio = await _studio(session)
    preview = await imports.preview_import(
        session, studio.staff, data=MESSY.encode(), filename="alumnos.csv", today=TODAY
    )
    assert preview.columns == {
        "Nombre": "first_name",
        "Apellidos": "last_name",
        "Teléfono": "phone",
        "Correo electrónico": "email",
        "Fecha de nacimiento": "date_of_birth",
        "Grupo": "groups",
        "Familia": "family",
        "Nombre madre": "guardian1_name",
        "Teléfono madre": "guardian1_phone",
    }
    by_row = {r.row: r for r in preview.rows}
    assert {n: r.outcome for n, r in by_row.items()} == {
        2: "new",
        3: "new",
        4: "empty",
        5: "error",
        6: "existing",
        7: "error",
        8: "error",
    }
    lucia = by_row[2]
    assert lucia.full_name == "Lucía Fernández Núñez"  # accents kept
    assert lucia.changes == [
        "new student Lucía Fernández Núñez",
        "guardian María Núñez",
        "joins Salsa Beginners from 2026-11-30",
        "family Fernández",
    ]
    assert "joins Ballet Infantil from 2026-11-30" in by_row[3].changes
    assert [e.column for e in by_row[5].errors] == ["Correo electrónico"]  # inaki@example
    assert "not a valid email" in by_row[5].errors[0].message.lower()
    assert by_row[6].student_id == studio.students["José"].id  # matched, not duplicated
    assert by_row[6].changes == ["joins Bachata Improvers from 2026-11-30"]
    assert by_row[7].errors[0].message == "The same student as row 2 (Lucía Fernández Núñez)."
    assert by_row[8].errors[0].column == "Grupo" and "formula" in by_row[8].errors[0].message
    assert preview.counts == {"new": 2, "existing": 1, "error": 3, "empty": 1}
    assert preview.new_groups == ["Ballet Infantil"] and not preview.can_apply
    assert await session.scalar(select(func.count()).select_from(Student)) == 3  # nothing written


async def test_phones_in_several_formats_are_stored_alike(session: AsyncSession) -> None:
    studio = await _studio(session)
    fixed = MESSY.replace("inaki@example", "inaki@example.com").replace('=HYPERLINK("http://x")', "")
    fixed = "\n".join(line for line in fixed.splitlines() if not line.startswith("lucia;"))
    result = await imports.apply_import(
        session, studio.admin, data=fixed.encode(), filename="a.csv", today=TODAY
    )
    assert (result.students_created, result.students_matched) == (4, 1)
    phones = dict((await session.execute(select(Student.full_name, Student.phone))).all())
    assert phones["Lucía Fernández Núñez"] == "+34600111222"
    assert phones["Álvaro Fernández Núñez"] == "+34600111223"
    assert phones["Iñaki Etxeberria"] == "+34600111224"
    assert phones["Zoe Smith"] == "+447911123456"
    mother = (await session.execute(select(Guardian).where(Guardian.phone == "+34600222333"))).scalar_one()
    assert (mother.full_name, mother.relationship) == ("María Núñez", "madre")


async def test_a_file_with_errors_changes_nothing_unless_asked_to_skip_them(session: AsyncSession) -> None:
    studio = await _studio(session)
    with pytest.raises(Invalid) as refused:
        await imports.apply_import(session, studio.admin, data=MESSY.encode(), filename="a.csv", today=TODAY)
    assert [r["row"] for r in refused.value.details["rows"]] == [5, 7, 8]
    assert await session.scalar(select(func.count()).select_from(Student)) == 3
    assert await session.scalar(select(func.count()).select_from(Group)) == 2
    done = await imports.apply_import(
        session, studio.admin, data=MESSY.encode(), filename="a.csv", today=TODAY, skip_invalid=True
    )
    assert (done.students_created, done.students_matched, done.rows_skipped) == (2, 1, 3)
    assert (done.guardians_created, done.groups_created, done.families_set) == (2, 1, 2)
    assert done.memberships_created == 4  # Lucía 1, Álvaro 2, José joins Bachata
    kinds = (await session.execute(select(DomainEvent.type, DomainEvent.payload))).all()
    registered = [p for t, p in kinds if t == "student.registered" and p["source"] == "import"]
    started = [p for t, p in kinds if t == "membership.started" and p["start_date"] == "2026-11-30"]
    assert len(registered) == 2 and len(started) == 4  # the outbox hears of them as from the services
    assert set(started[0]) == {"membership_id", "student_id", "group_id", "start_date"}
    siblings = (
        (await session.execute(select(Student.family_id).where(Student.full_name.like("%Fernández Núñez"))))
        .scalars()
        .all()
    )
    assert len(siblings) == 2 and siblings[0] is not None and siblings[0] == siblings[1]
    audit = (
        await session.execute(select(AuditEntry).where(AuditEntry.action == "students.imported"))
    ).scalar_one()
    assert (
        audit.after is not None
        and audit.after["students_created"] == 2
        and audit.actor_user_id == studio.admin.user_id
    )


async def test_applying_twice_creates_nothing_the_second_time(session: AsyncSession) -> None:
    studio = await _studio(session)
    data = MESSY.encode()
    first = await imports.apply_import(
        session, studio.admin, data=data, filename="a.csv", today=TODAY, skip_invalid=True
    )
    counts = [
        await session.scalar(select(func.count()).select_from(t))
        for t in (Student, Guardian, StudentGroup, Group)
    ]
    again = await imports.apply_import(
        session, studio.admin, data=data, filename="a.csv", today=TODAY, skip_invalid=True
    )
    assert again.already_applied and again.batch_id == first.batch_id and again.students_created == 0
    preview = await imports.preview_import(session, studio.admin, data=data, filename="a.csv", today=TODAY)
    assert preview.already_applied
    # The same rows in another file (re-saved, one byte different) match what the first created.
    resaved = data + b"\n"
    third = await imports.apply_import(
        session, studio.admin, data=resaved, filename="b.csv", today=TODAY, skip_invalid=True
    )
    assert not third.already_applied
    assert (third.students_created, third.guardians_created, third.memberships_created) == (0, 0, 0)
    assert (third.groups_created, third.families_set) == (0, 0)
    after = [
        await session.scalar(select(func.count()).select_from(t))
        for t in (Student, Guardian, StudentGroup, Group)
    ]
    assert after == counts


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_excel_file_with_dates_numbers_and_a_formula(session: AsyncSession) -> None:
    studio = await _studio(session)
    data = _workbook(
        [
            ["Student name", "Mobile", "Birthday", "Classes", "Parent", "Parent email"],
            [
                "Nora Quinn",
                600111227,
                date(2016, 2, 29),
                "Salsa Beginners (since 2026-10-01)",
                "Ian Quinn",
                "ian@example.com",
            ],
            ["Olga Ruiz", "=1+1", None, None, None, None],
        ]
    )
    preview = await imports.preview_import(
        session, studio.admin, data=data, filename="kids.xlsx", today=TODAY
    )
    nora, olga = preview.rows
    assert nora.outcome == "new" and "joins Salsa Beginners from 2026-10-01" in nora.changes
    assert olga.outcome == "error" and olga.errors[0].column == "Mobile"
    done = await imports.apply_import(
        session, studio.admin, data=data, filename="kids.xlsx", today=TODAY, skip_invalid=True
    )
    assert done.students_created == 1
    student = (await session.execute(select(Student).where(Student.full_name == "Nora Quinn"))).scalar_one()
    assert (student.phone, student.date_of_birth, student.source) == (
        "+34600111227",
        date(2016, 2, 29),
        "import",
    )


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"%PDF-1.4 binary\x00\x01", "alumnos.pdf", "Upload a CSV or an Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", "alumnos.xls", "Old Excel files"),
        ("Nombre completo\nJosé Núñez\n".encode("latin-1"), "alumnos.csv", "not UTF-8"),
        (b"Nombre completo\n" + b"x" * (1024 * 1024), "big.csv", "larger than"),
        (b"Email;Phone\na@example.com;600111222\n", "a.csv", "No column with the students' names"),
        (b"Name\n" + b"Ana\n" * 5001, "many.csv", "At most 5000 rows"),
        (b"   \n", "empty.csv", "empty"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "could not be opened"),
    ],
)
async def test_bad_files_get_a_clear_error_and_change_nothing(
    session: AsyncSession, data: bytes, filename: str, says: str
) -> None:
    studio = await _studio(session)
    for action in (imports.preview_import, imports.apply_import):
        with pytest.raises(Invalid) as refused:
            await action(session, studio.admin, data=data, filename=filename, today=TODAY)
        assert says in refused.value.message
    assert await session.scalar(select(func.count()).select_from(Student)) == 3


async def test_a_teacher_cannot_import_and_the_office_can(session: AsyncSession) -> None:
    studio = await _studio(session)
    data = b"Full name\nNueva Alumna\n"
    for action in (imports.preview_import, imports.apply_import):
        with pytest.raises(Forbidden):
            await action(session, studio.teacher, data=data, filename="a.csv", today=TODAY)
    assert await session.scalar(select(func.count()).select_from(Student)) == 3
    done = await imports.apply_import(session, studio.staff, data=data, filename="a.csv", today=TODAY)
    assert done.students_created == 1  # the positive control: staff may


async def test_a_new_sibling_joins_the_family_an_existing_student_has(session: AsyncSession) -> None:
    studio = await _studio(session)
    ana = studio.students["Ana"]
    ana.family_id = family = uuid.uuid4()
    await session.flush()
    data = "Full name;Family;Groups\nPedro García;García;Salsa Beginners\nAna García;García;Salsa Beginners\n"
    preview = await imports.preview_import(
        session, studio.admin, data=data.encode(), filename="a.csv", today=TODAY
    )
    pedro, again = preview.rows
    assert pedro.changes == [
        "new student Pedro García",
        "joins Salsa Beginners from 2026-11-30",
        "family García",
    ]
    assert again.outcome == "existing" and again.changes == []  # already in Salsa and in a family
    done = await imports.apply_import(
        session, studio.admin, data=data.encode(), filename="a.csv", today=TODAY
    )
    assert (done.students_created, done.families_set, done.memberships_created) == (1, 1, 1)
    new = (await session.execute(select(Student).where(Student.full_name == "Pedro García"))).scalar_one()
    assert new.family_id == family


async def test_a_closed_group_is_an_error_of_the_row(session: AsyncSession) -> None:
    studio = await _studio(session)
    await groups.change_group_status(
        session, studio.admin, studio.bachata.id, status=GroupStatus.CLOSED, reason="End"
    )
    data = b"Name;Group\nPia Ortiz;Bachata Improvers\nLeo Ortiz;Salsa Beginners\n"
    preview = await imports.preview_import(session, studio.admin, data=data, filename="a.csv", today=TODAY)
    assert [r.outcome for r in preview.rows] == ["error", "new"]
    assert preview.rows[0].errors[0].message == "The group Bachata Improvers is closed."
