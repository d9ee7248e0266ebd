"""Broken promises found in the review of the day's changes, each pinned by a test that failed before its fix.

- A student's family listed siblings the caller may not see: a teacher got the names of students outside
  their classes. Every "cannot see" has its positive control (the office sees the sibling; the teacher
  sees a sibling who is in their class).
- Bad files must be a clear 422 and store nothing, never a 500: a UTF-16 CSV with a broken surrogate and
  an .xlsx whose XML is malformed crashed the import's reader; a Norma 43 file whose item code is not a
  number crashed the statement parser (``csb43`` reads a field only when it is asked for).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.banking.formats import parse
from domain.db import use_tenant
from domain.errors import Conflict, Invalid
from domain.imports import service as imports
from domain.imports.reading import MAX_COLUMNS, read_sheet
from domain.students import service as students
from domain.students.family import family, set_family
from domain.students.models import Student
from domain.students.schemas import StudentIn
from tests.domain.studio import build_studio

TODAY = date(2026, 11, 30)
NORMA43 = Path(__file__).parents[1] / "fixtures" / "banks" / "norma43" / "nantic-c43.txt"


async def test_a_teacher_sees_only_the_siblings_they_may_see(session: AsyncSession) -> None:
    studio = await build_studio(session)  # Ana, José and Sofía in Lucía's Salsa Beginners
    await use_tenant(session, studio.admin)
    ana, sofia = studio.students["Ana"], studio.students["Sofía"]
    hidden = StudentIn(full_name="Hidden Sibling")
    outsider = await students.create_student(session, studio.admin, data=hidden)
    await set_family(session, studio.admin, outsider.id, sibling_id=ana.id)
    await set_family(session, studio.admin, sofia.id, sibling_id=ana.id)

    office = await family(session, studio.admin, ana.id)
    assert {s.full_name for s in office.siblings} == {"Hidden Sibling", "Sofía López"}  # positive control
    seen = await family(session, studio.teacher, ana.id)
    assert [s.full_name for s in seen.siblings] == ["Sofía López"]  # her own student, yes; the other, no


def _xlsx_with_broken_xml() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types")
        book.writestr("xl/workbook.xml", "<workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\xff\xfe" + "Full name\n".encode("utf-16-le") + b"\x00\xd8a\x00", "alumnos.csv"),
        (_xlsx_with_broken_xml(), "alumnos.xlsx"),
    ],
    ids=["utf16-broken-surrogate", "xlsx-malformed-xml"],
)
async def test_a_broken_spreadsheet_is_refused_clearly_and_stores_nothing(
    session: AsyncSession, data: bytes, filename: str
) -> None:
    studio = await build_studio(session)
    await use_tenant(session, studio.admin)
    for action in (imports.preview_import, imports.apply_import):
        with pytest.raises(Invalid):
            await action(session, studio.admin, data=data, filename=filename, today=TODAY)
    assert await session.scalar(select(func.count()).select_from(Student)) == 3
    good = "Full name\nNueva Alumna\n".encode("utf-16")  # positive control: UTF-16 with a BOM is read
    done = await imports.apply_import(session, studio.admin, data=good, filename="a.csv", today=TODAY)
    assert done.students_created == 1


def test_a_norma43_item_code_that_is_not_a_number_is_refused_clearly() -> None:
    data = NORMA43.read_bytes()
    assert len(parse(data, fmt="norma43")[1]) == 22  # positive control: the file as the bank gave it
    lines = data.split(b"\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(b"22"))
    lines[first] = lines[first][:24] + b"0{0" + lines[first][27:]  # the own item code (3 digits)
    for fmt in ("norma43", "auto"):
        with pytest.raises(Invalid) as refused:
            parse(b"\n".join(lines), fmt=fmt)
        assert "Norma 43" in refused.value.message


def _xlsx(rows: list[list[str]], *, dimension: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    parts = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
        for name in parts.namelist():
            part = parts.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="{dimension}"'.encode(), part)
            patched.writestr(name, part)
    return out.getvalue()


def test_a_workbook_is_read_no_wider_than_the_import_reads() -> None:
    """A 43 KB workbook declaring 16,384 columns took 15 s and 700 MB to read (openpyxl pads every row to
    the declared width); now rows are read as wide as the header, and a header wider than ``MAX_COLUMNS``
    is refused."""
    names = [["Full name"], *([f"Student {i}"] for i in range(50))]
    declared = read_sheet(_xlsx(names, dimension="A1:XFD51"), "wide.xlsx")
    assert declared.headers == ["Full name"] and len(declared.rows) == 50  # positive control: read
    wide = [["Full name", *([""] * 500), "Column too far"], ["Ana"]]
    with pytest.raises(Invalid) as refused:
        read_sheet(_xlsx(wide), "wide.xlsx")
    assert str(MAX_COLUMNS) in refused.value.message
    fits = [["Full name", *([""] * (MAX_COLUMNS - 2)), "Notes"], ["Ana"]]
    assert read_sheet(_xlsx(fits), "fits.xlsx").headers[-1] == "Notes"


async def test_an_import_cannot_overfill_a_group(session: AsyncSession) -> None:
    """Enrolment refuses a full group (the capacity rule); the import's bulk insert of new students went
    around it. Now the import is refused with the group's count and stores nothing."""
    studio = await build_studio(session)
    await use_tenant(session, studio.admin)
    studio.bachata.capacity = 1
    await session.flush()
    two = b"Full name;Groups\nNora Quinn;Bachata Improvers\nPablo Soto;Bachata Improvers\n"
    with pytest.raises(Conflict) as refused:
        async with session.begin_nested():  # what the route's transaction does on a refusal: roll back
            await imports.apply_import(session, studio.admin, data=two, filename="two.csv", today=TODAY)
    assert "Bachata Improvers" in refused.value.message
    assert refused.value.details["capacity"] == 1
    assert await session.scalar(select(func.count()).select_from(Student)) == 3
    studio.bachata.capacity = 2  # positive control: room for both
    await session.flush()
    done = await imports.apply_import(session, studio.admin, data=two, filename="two.csv", today=TODAY)
    assert done.memberships_created == 2
