from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.models import AuditEntry
from domain.errors import Conflict, Forbidden, Invalid
from domain.students import service as students
from domain.students.models import Guardian, Student
from domain.students.schemas import GuardianIn, StudentIn, StudentUpdate
from domain.teachers import service as teachers
from domain.teachers.models import TeacherPaymentType
from domain.teachers.schemas import TeacherIn, TeacherUpdate
from domain.venues import service as venues
from domain.venues.schemas import VenueIn, VenueUpdate
from tests.domain.studio import build_studio, event_types

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def test_a_student_is_created_with_validated_contacts_and_guardians(session: AsyncSession) -> None:
    studio = await build_studio(session)
    student = await students.create_student(
        session,
        studio.staff,
        data=StudentIn(
            full_name="  Lucas   Moreno ",
            email="Lucas@Example.ORG",
            phone="612 345 678",
            guardians=[GuardianIn(full_name="Marta Moreno", relationship="mother", phone="+34 699 111 222")],
        ),
    )
    assert (student.full_name, student.email, student.phone) == (
        "Lucas Moreno",
        "lucas@example.org",
        "+34612345678",
    )
    guardians = await students.list_guardians(session, studio.staff, student.id)
    assert [(g.full_name, g.phone) for g in guardians] == [("Marta Moreno", "+34699111222")]
    assert "student.registered" in await event_types(session)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (StudentIn(full_name="Bad Email", email="not-an-email"), "email"),
        (StudentIn(full_name="Bad Phone", phone="12"), "phone"),
        (StudentIn(full_name="   "), "full_name"),
        (
            StudentIn(full_name="Bad Guardian", guardians=[GuardianIn(full_name="G", email="nope")]),
            "guardians.email",
        ),
    ],
)
async def test_bad_student_input_is_invalid_and_writes_nothing(
    session: AsyncSession, data: StudentIn, field: str
) -> None:
    studio = await build_studio(session)
    before = await session.scalar(select(func.count()).select_from(Student))
    with pytest.raises(Invalid) as err:
        await students.create_student(session, studio.admin, data=data)
    assert err.value.details == {"field": field}
    assert await session.scalar(select(func.count()).select_from(Student)) == before
    assert await session.scalar(select(func.count()).select_from(Guardian)) == 0


async def test_search_is_fuzzy_and_accent_insensitive(session: AsyncSession) -> None:
    studio = await build_studio(
        session, names=("José Martínez", "Josefina Ruiz", "Ana García", "Noah Müller")
    )
    found = await students.search_students(session, studio.admin, query="Jose")
    assert [m.name for m in found][:2] == ["José Martínez", "Josefina Ruiz"]
    assert [m.name for m in await students.search_students(session, studio.admin, query="muller")] == [
        "Noah Müller"
    ]
    fuzzy = await students.search_students(session, studio.admin, query="ana garcya")
    assert fuzzy[0].name == "Ana García"
    assert await students.search_students(session, studio.admin, query="Zzyzx") == []


async def test_updating_a_student_is_audited_with_before_and_after(session: AsyncSession) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    await students.update_student(session, studio.staff, ana.id, data=StudentUpdate(email="ana@example.org"))
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "student.updated"))
    assert entry is not None and entry.before and entry.after
    assert (entry.before["email"], entry.after["email"]) == (None, "ana@example.org")
    assert entry.actor_user_id == studio.staff.user_id


async def test_archiving_keeps_the_student_out_of_lists_and_search_but_not_lost(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    ana = studio.students["Ana"]
    await students.archive_student(session, studio.admin, ana.id, now=NOW)
    assert ana.id not in {s.id for s in await students.list_students(session, studio.admin)}
    assert ana.id in {
        s.id for s in await students.list_students(session, studio.admin, include_archived=True)
    }
    assert await students.search_students(session, studio.admin, query="Ana García") == []
    assert (await students.get_student(session, studio.admin, ana.id)).archived_at == NOW
    with pytest.raises(Conflict):
        await students.archive_student(session, studio.admin, ana.id, now=NOW)


async def test_teachers_cannot_add_students(session: AsyncSession) -> None:
    studio = await build_studio(session)
    with pytest.raises(Forbidden):
        await students.create_student(session, studio.teacher, data=StudentIn(full_name="Nope"))


async def test_teacher_payment_model_needs_its_rate_and_rate_changes_are_audited(
    session: AsyncSession,
) -> None:
    studio = await build_studio(session)
    with pytest.raises(Invalid) as err:
        await teachers.create_teacher(
            session,
            studio.admin,
            data=TeacherIn(full_name="No Rate", payment_type=TeacherPaymentType.FIXED_MONTHLY),
        )
    assert err.value.details == {"field": "monthly_rate"}
    offline = await teachers.create_teacher(
        session,
        studio.admin,
        data=TeacherIn(
            full_name="Aiko Tanaka",
            payment_type=TeacherPaymentType.FIXED_MONTHLY,
            monthly_rate=Decimal("1200"),
        ),
    )
    assert offline.user_id is None
    await teachers.update_teacher(
        session,
        studio.admin,
        offline.id,
        data=TeacherUpdate(monthly_rate=Decimal("1300.00")),
        today=NOW.date(),
    )
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "teacher.updated"))
    assert entry and entry.before and entry.after
    assert (entry.before["monthly_rate"], entry.after["monthly_rate"]) == ("1200.00", "1300.00")
    with pytest.raises(Forbidden):
        await teachers.update_teacher(
            session, studio.staff, offline.id, data=TeacherUpdate(monthly_rate=Decimal("1")), today=NOW.date()
        )
    await teachers.archive_teacher(session, studio.admin, offline.id, now=NOW)
    assert offline.id not in {t.id for t in await teachers.list_teachers(session, studio.admin)}


async def test_a_user_gets_at_most_one_teacher_profile_and_must_be_a_member(session: AsyncSession) -> None:
    studio = await build_studio(session)
    assert studio.teacher.user_id is not None
    with pytest.raises(Conflict):
        await teachers.create_teacher(
            session,
            studio.admin,
            data=TeacherIn(
                full_name="Again",
                payment_type=TeacherPaymentType.PER_CLASS,
                rate_per_class=Decimal(1),
                user_id=studio.teacher.user_id,
            ),
        )
    with pytest.raises(Invalid):
        await teachers.create_teacher(
            session,
            studio.admin,
            data=TeacherIn(
                full_name="Stranger",
                payment_type=TeacherPaymentType.PER_CLASS,
                rate_per_class=Decimal(1),
                user_id=uuid.uuid4(),
            ),
        )


async def test_venues_are_created_renamed_and_archived(session: AsyncSession) -> None:
    studio = await build_studio(session)
    norte = await venues.create_venue(
        session, studio.staff, data=VenueIn(name="Studio Norte", address="Av. Norte 4")
    )
    await venues.update_venue(session, studio.staff, norte.id, data=VenueUpdate(name="Sala Norte"))
    assert [v.name for v in await venues.list_venues(session, studio.admin)] == [
        "Sala Norte",
        "Studio Centro",
    ]
    await venues.archive_venue(session, studio.admin, norte.id, now=NOW)
    assert [v.name for v in await venues.list_venues(session, studio.admin)] == ["Studio Centro"]
