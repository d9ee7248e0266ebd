"""A small organization built through the services, for the domain tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.events.models import DomainEvent
from domain.groups import memberships
from domain.groups import service as groups
from domain.groups.models import Group
from domain.groups.schemas import GroupIn
from domain.orgs.models import Organization
from domain.sessions.models import ClassSession
from domain.students import service as students
from domain.students.models import Student
from domain.students.schemas import StudentIn
from domain.teachers import service as teachers
from domain.teachers.models import Teacher, TeacherPaymentType
from domain.teachers.schemas import TeacherIn
from domain.tenancy import Role, TenantContext
from domain.venues import service as venues
from domain.venues.models import Venue
from domain.venues.schemas import VenueIn
from tests.factories import add_member, make_org, make_user

START = date(2026, 9, 1)


@dataclass
class Studio:
    org: Organization
    admin: TenantContext
    staff: TenantContext
    teacher: TenantContext  # the user behind `lucia`
    lucia: Teacher
    marco: Teacher
    venue: Venue
    salsa: Group
    bachata: Group
    students: dict[str, Student] = field(default_factory=dict)


async def build_studio(
    session: AsyncSession, names: tuple[str, ...] = ("Ana García", "José Martínez", "Sofía López")
) -> Studio:
    admin_user = await make_user(session, "admin")
    org, admin = await make_org(session, admin_user)
    org.country = "ES"
    staff = await add_member(session, org.id, await make_user(session, "staff"), Role.STAFF)
    teacher_user = await make_user(session, "lucia")
    teacher = await add_member(session, org.id, teacher_user, Role.TEACHER)
    await use_tenant(session, admin)
    lucia = await teachers.create_teacher(
        session,
        admin,
        data=TeacherIn(
            full_name="Lucía Romero",
            payment_type=TeacherPaymentType.PER_HEAD,
            rate_per_head=Decimal("6.50"),
            user_id=teacher_user.id,
        ),
    )
    marco = await teachers.create_teacher(
        session,
        admin,
        data=TeacherIn(
            full_name="Marco Bianchi",
            payment_type=TeacherPaymentType.PER_CLASS,
            rate_per_class=Decimal("45.00"),
        ),
    )
    venue = await venues.create_venue(session, admin, data=VenueIn(name="Studio Centro"))
    salsa = await groups.create_group(
        session, admin, data=GroupIn(name="Salsa Beginners", venue_id=venue.id, teacher_id=lucia.id)
    )
    bachata = await groups.create_group(
        session, admin, data=GroupIn(name="Bachata Improvers", venue_id=venue.id, teacher_id=marco.id)
    )
    studio = Studio(
        org=org,
        admin=admin,
        staff=staff,
        teacher=teacher,
        lucia=lucia,
        marco=marco,
        venue=venue,
        salsa=salsa,
        bachata=bachata,
    )
    for name in names:
        student = await students.create_student(session, admin, data=StudentIn(full_name=name))
        studio.students[name.split()[0]] = student
        await memberships.enroll(session, admin, student_id=student.id, group_id=salsa.id, start_date=START)
    return studio


async def event_types(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(DomainEvent.type).order_by(DomainEvent.created_at))).scalars())


async def count_sessions(session: AsyncSession) -> int:
    return len((await session.execute(select(ClassSession.id))).all())
