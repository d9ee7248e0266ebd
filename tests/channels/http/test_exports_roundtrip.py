"""Exports round-trip: a school's students exported (CSV or xlsx) and imported into an empty organization
give the same students, guardians, families and group memberships; importing again creates nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.groups import memberships
from domain.groups.models import Group, StudentGroup
from domain.students import service as students
from domain.students.models import Guardian, Student
from domain.students.schemas import GuardianIn, StudentIn, StudentUpdate
from domain.tenancy import TenantContext
from tests.channels.http.helpers import API, Browser
from tests.channels.http.test_teacher_visibility import logged_in
from tests.domain.studio import build_studio
from tests.factories import make_org, make_user


async def _source(session: AsyncSession) -> TenantContext:
    """Ana (two guardians, one with no contact), José and Sofía siblings, José also in Bachata; a student
    whose name a spreadsheet would run as a formula; accents, a multi-line note, a birth date."""
    studio = await build_studio(session)
    admin = studio.admin
    await use_tenant(session, admin)
    ana, jose, sofia = (studio.students[n] for n in ("Ana", "José", "Sofía"))
    await students.update_student(
        session,
        admin,
        ana.id,
        data=StudentUpdate(
            email="ana@example.com",
            phone="+34 600 333 444",
            date_of_birth=date(2012, 5, 17),
            notes="Rodilla: cuidado\ncon los saltos",
        ),
    )
    await students.add_guardian(
        session,
        admin,
        ana.id,
        data=GuardianIn(
            full_name="Marta López", relationship="madre", email="marta@example.com", phone="600111222"
        ),
    )
    await students.add_guardian(session, admin, ana.id, data=GuardianIn(full_name="Íñigo García"))
    family = uuid.uuid4()
    jose.family_id = sofia.family_id = family
    await memberships.enroll(
        session, admin, student_id=jose.id, group_id=studio.bachata.id, start_date=date(2026, 10, 1)
    )
    odd = await students.create_student(session, admin, data=StudentIn(full_name="=cmd|' /C calc'!A0"))
    await memberships.enroll(
        session, admin, student_id=odd.id, group_id=studio.bachata.id, start_date=date(2026, 9, 15)
    )
    await session.flush()
    return admin


async def snapshot(session: AsyncSession, tenant: TenantContext) -> dict[str, Any]:
    """Everything the round trip must keep, by name (ids differ between organizations)."""
    await use_tenant(session, tenant)
    people = (await session.execute(select(Student).order_by(Student.full_name))).scalars().all()
    name = {s.id: s.full_name for s in people}
    groups = {g.id: g.name for g in (await session.execute(select(Group))).scalars()}
    families: dict[uuid.UUID, set[str]] = {}
    for s in people:
        if s.family_id:
            families.setdefault(s.family_id, set()).add(s.full_name)
    return {
        "students": {(s.full_name, s.email, s.phone, s.date_of_birth, s.notes) for s in people},
        "guardians": {
            (name[g.student_id], g.full_name, g.relationship, g.email, g.phone)
            for g in (await session.execute(select(Guardian))).scalars()
        },
        "families": {frozenset(f) for f in families.values()},
        "memberships": {
            (name[m.student_id], groups[m.group_id], m.start_date, m.end_date)
            for m in (await session.execute(select(StudentGroup))).scalars()
        },
    }


async def upload(browser: Browser, action: str, content: bytes, filename: str) -> Response:
    return await browser.client.post(
        f"{API}/imports/students/{action}",
        files={"file": (filename, content)},
        headers={"X-CSRF-Token": browser.csrf},
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_export_then_import_into_an_empty_organization_gives_the_same_school(
    session: AsyncSession, make_client: Callable[[], AsyncClient], fmt: str
) -> None:
    source = await _source(session)
    before = await snapshot(session, source)
    assert len(before["students"]) == 4 and len(before["guardians"]) == 2 and len(before["families"]) == 1
    office = await logged_in(session, make_client(), source.user_id)
    exported = await office.get("/students", params={"format": fmt})
    assert exported.status_code == 200
    if fmt == "csv":
        assert "'=cmd" in exported.text  # escaped in the file, restored by the import

    owner = await make_user(session, "newschool")
    _, target = await make_org(session, owner)
    assert (await snapshot(session, target))["students"] == set()
    newcomer = await logged_in(session, make_client(), owner.id)
    preview = await upload(newcomer, "preview", exported.content, f"students.{fmt}")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["counts"] == {"new": 4, "existing": 0, "error": 0, "empty": 0} and body["can_apply"]
    assert body["new_groups"] == ["Bachata Improvers", "Salsa Beginners"]
    applied = await upload(newcomer, "apply", exported.content, f"students.{fmt}")
    assert applied.status_code == 200, applied.text
    assert applied.json()["students_created"] == 4 and applied.json()["memberships_created"] == 5

    assert await snapshot(session, target) == before

    again = await upload(newcomer, "apply", exported.content, f"students.{fmt}")
    assert again.status_code == 200 and again.json()["already_applied"]
    reexported = await newcomer.get("/students", params={"format": fmt})  # other bytes, the same school
    third = await upload(newcomer, "apply", reexported.content, f"again.{fmt}")
    assert third.status_code == 200, third.text
    assert third.json()["students_created"] == 0 and third.json()["students_matched"] == 4
    assert third.json()["memberships_created"] == 0 and third.json()["guardians_created"] == 0
    assert await snapshot(session, target) == before
    assert await snapshot(session, source) == before  # and the source school is untouched


async def test_import_routes_are_for_the_office_only(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    content = b"Full name\nNueva Alumna\n"
    teacher = await logged_in(session, make_client(), studio.teacher.user_id)
    for action in ("preview", "apply"):
        refused = await upload(teacher, action, content, "a.csv")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    staff = await logged_in(session, make_client(), studio.staff.user_id)
    done = await upload(staff, "apply", content, "a.csv")
    assert done.status_code == 200 and done.json()["students_created"] == 1


async def test_bad_uploads_are_clear_4xx_errors(
    session: AsyncSession, make_client: Callable[[], AsyncClient]
) -> None:
    studio = await build_studio(session)
    office = await logged_in(session, make_client(), studio.admin.user_id)
    wrong = await upload(office, "preview", b"%PDF-1.4\x00", "a.pdf")
    assert wrong.status_code == 422 and "CSV or an Excel" in wrong.json()["error"]["message"]
    huge = await upload(office, "apply", b"Name\n" + b"x" * (2 * 1024 * 1024), "huge.csv")
    assert huge.status_code == 413  # refused by the body cap before the import reads it
    with_errors = await upload(office, "apply", b"Name;Email\nAna Nueva;not-an-email\n", "a.csv")
    assert with_errors.status_code == 422
    assert with_errors.json()["error"]["details"]["rows"][0]["row"] == 2
    skipping = await office.client.post(
        f"{API}/imports/students/apply",
        files={"file": ("a.csv", b"Name;Email\nAna Nueva;not-an-email\nBea Nueva;bea@example.com\n")},
        data={"skip_invalid": "true"},
        headers={"X-CSRF-Token": office.csrf},
    )
    assert skipping.status_code == 200, skipping.text
    assert (skipping.json()["students_created"], skipping.json()["rows_skipped"]) == (1, 1)
    mapping = await office.client.post(
        f"{API}/imports/students/preview",
        files={"file": ("a.csv", b"Alumno X;Tlf\nAna Nueva;600111222\n")},
        data={"mapping": '{"Alumno X": "full_name", "Tlf": "phone"}'},
        headers={"X-CSRF-Token": office.csrf},
    )
    assert mapping.status_code == 200 and mapping.json()["columns"] == {
        "Alumno X": "full_name",
        "Tlf": "phone",
    }
    bad_mapping = await office.client.post(
        f"{API}/imports/students/preview",
        files={"file": ("a.csv", b"Name\nAna\n")},
        data={"mapping": '{"Name": "shoe_size"}'},
        headers={"X-CSRF-Token": office.csrf},
    )
    assert bad_mapping.status_code == 422 and "shoe_size" in bad_mapping.json()["error"]["message"]
