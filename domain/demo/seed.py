"""A small, deterministic demo: the school ``demo-school`` and the independent ``demo-teacher``.

The user names are a contract (evals and docs rely on them): ``admin@demo-school.example``,
``staff@demo-school.example``, ``teacher1…N@demo-school.example`` and ``teacher@demo-teacher.example``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.auth import service as auth
from domain.auth.models import User
from domain.db import unit_of_work
from domain.groups.models import Group, GroupStatus, StudentGroup
from domain.orgs import service as orgs
from domain.orgs.models import OrganizationMember, OrganizationType
from domain.private_lessons.models import PrivateSession
from domain.sessions.models import ClassSession, SessionStatus
from domain.students.models import Student
from domain.teachers.models import Teacher, TeacherPaymentType
from domain.tenancy import Role, TenantContext
from domain.venues.models import Venue

DEMO_PASSWORD_ENV = "CADENCE_DEMO_PASSWORD"  # noqa: S105 - a variable name
DEFAULT_DEMO_PASSWORD = "dance-demo-2026"  # noqa: S105  # a local demo's login, printed by `cadence demo seed`

SCHOOL_TEACHERS = (
    ("Lucía Romero", TeacherPaymentType.PER_HEAD, Decimal("6.50")),
    ("Marco Bianchi", TeacherPaymentType.PER_CLASS, Decimal("45.00")),
    ("Aiko Tanaka", TeacherPaymentType.FIXED_MONTHLY, Decimal("1200.00")),
)
SCHOOL_GROUPS = (
    ("Salsa Beginners", 0, 0, time(19, 0)),
    ("Bachata Improvers", 1, 0, time(20, 0)),
    ("Contemporary Teens", 2, 1, time(17, 30)),
    ("Ballet Kids", 2, 1, time(16, 30)),
)
STUDENT_NAMES = (
    "Ana García",
    "José Martínez",
    "Sofía López",
    "Mateo Fernández",
    "Valentina Ruiz",
    "Hugo Sánchez",
    "Lucas Moreno",
    "Martina Álvarez",
    "Daniel Torres",
    "Paula Navarro",
    "Emma Wilson",
    "Noah Müller",
    "Chloé Dubois",
    "Léa Martin",
    "Tomás Oliveira",
    "Inés Castro",
    "Pablo Ortega",
    "Carmen Vidal",
)


@dataclass
class SeedSummary:
    organizations: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    password: str = ""


def demo_password() -> str:
    return os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)


async def is_seeded(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with unit_of_work(sessions) as session:
        return await orgs.organization_id_by_slug(session, "demo-school") is not None


async def seed_demo(sessions: async_sessionmaker[AsyncSession], *, today: date) -> SeedSummary:
    """Create both demo organizations unless they exist. Deterministic apart from generated ids."""
    summary = SeedSummary(password=demo_password())
    if await is_seeded(sessions):
        return summary
    async with unit_of_work(sessions) as session:
        await _seed_school(session, summary, today=today)
    async with unit_of_work(sessions) as session:
        await _seed_independent(session, summary, today=today)
    return summary


async def _user(session: AsyncSession, summary: SeedSummary, email: str, name: str) -> User:
    user = await auth.find_user_by_email(session, email)
    if user is None:
        user = await auth.signup(session, email=email, password=summary.password, name=name)
    summary.users.append(email)
    return user


async def _member(session: AsyncSession, tenant: TenantContext, user: User, role: Role) -> None:
    session.add(OrganizationMember(organization_id=tenant.org_id, user_id=user.id, role=role))
    await session.flush()


def _weekly_dates(today: date, weekday: int, weeks: int) -> list[date]:
    last = today - timedelta(days=(today.weekday() - weekday) % 7)
    return [last - timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]


async def _seed_school(session: AsyncSession, summary: SeedSummary, *, today: date) -> None:
    admin = await _user(session, summary, "admin@demo-school.example", "Demo Admin")
    org, tenant = await orgs.create_organization(
        session,
        user_id=admin.id,
        name="Demo Dance School",
        slug="demo-school",
        type=OrganizationType.SCHOOL,
        timezone="Europe/Madrid",
        currency="EUR",
    )
    summary.organizations.append(org.slug)
    staff = await _user(session, summary, "staff@demo-school.example", "Demo Staff")
    await _member(session, tenant, staff, Role.STAFF)

    venues = [
        Venue(organization_id=org.id, name="Studio Centro", address="Calle Mayor 10"),
        Venue(organization_id=org.id, name="Studio Norte", address="Avenida Norte 45"),
    ]
    session.add_all(venues)
    teachers: list[Teacher] = []
    for i, (name, pay, rate) in enumerate(SCHOOL_TEACHERS, start=1):
        user = await _user(session, summary, f"teacher{i}@demo-school.example", name)
        await _member(session, tenant, user, Role.TEACHER)
        teachers.append(
            Teacher(
                organization_id=org.id,
                user_id=user.id,
                full_name=name,
                payment_type=pay,
                monthly_rate=rate if pay is TeacherPaymentType.FIXED_MONTHLY else None,
                rate_per_class=rate if pay is TeacherPaymentType.PER_CLASS else None,
                rate_per_head=rate if pay is TeacherPaymentType.PER_HEAD else None,
            )
        )
    session.add_all(teachers)
    students = [Student(organization_id=org.id, full_name=n) for n in STUDENT_NAMES]
    session.add_all(students)
    await session.flush()

    for g, (name, teacher_i, venue_i, start) in enumerate(SCHOOL_GROUPS):
        group = Group(
            organization_id=org.id,
            name=name,
            status=GroupStatus.ACTIVE,
            venue_id=venues[venue_i].id,
            teacher_id=teachers[teacher_i].id,
        )
        session.add(group)
        await session.flush()
        roster = [s for i, s in enumerate(students) if (i + g) % 3 != 0][:10]
        joined = today - timedelta(weeks=10)
        session.add_all(
            StudentGroup(organization_id=org.id, student_id=s.id, group_id=group.id, start_date=joined)
            for s in roster
        )
        for week, day in enumerate(_weekly_dates(today, weekday=g % 5, weeks=8)):
            held = day < today
            class_session = ClassSession(
                organization_id=org.id,
                group_id=group.id,
                venue_id=group.venue_id,
                teacher_id=teachers[teacher_i].id,
                date=day,
                start_time=start,
                end_time=time(start.hour + 1, start.minute),
                status=SessionStatus.HELD if held else SessionStatus.SCHEDULED,
            )
            session.add(class_session)
            await session.flush()
            if held:
                session.add_all(
                    AttendanceRecord(
                        organization_id=org.id,
                        class_session_id=class_session.id,
                        student_id=s.id,
                        status=_status(s_index, week),
                    )
                    for s_index, s in enumerate(roster)
                )
    await session.flush()


def _status(student_index: int, week: int) -> AttendanceStatus:
    # A deterministic, varied pattern: mostly present, some late, absences clustered on a few students.
    if student_index % 7 == 3 and week >= 4:
        return AttendanceStatus.ABSENT
    if (student_index + week) % 9 == 0:
        return AttendanceStatus.LATE
    if (student_index * 3 + week) % 11 == 0:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.PRESENT


async def _seed_independent(session: AsyncSession, summary: SeedSummary, *, today: date) -> None:
    owner = await _user(session, summary, "teacher@demo-teacher.example", "Irene Solo")
    org, _tenant = await orgs.create_organization(
        session,
        user_id=owner.id,
        name="Irene Solo Dance",
        slug="demo-teacher",
        type=OrganizationType.INDEPENDENT_TEACHER,
        timezone="Europe/Madrid",
        currency="EUR",
    )
    summary.organizations.append(org.slug)
    studios = [
        Venue(organization_id=org.id, name="Sala Luz", address="Calle Luz 3"),
        Venue(organization_id=org.id, name="Espacio Ritmo", address="Plaza Ritmo 7"),
    ]
    teacher = Teacher(
        organization_id=org.id,
        user_id=owner.id,
        full_name="Irene Solo",
        payment_type=TeacherPaymentType.PER_CLASS,
        rate_per_class=Decimal("0.00"),
    )
    students = [
        Student(organization_id=org.id, full_name=n) for n in ("Clara Núñez", "Diego Herrera", "Elena Ríos")
    ]
    session.add_all([*studios, teacher, *students])
    await session.flush()
    for week, day in enumerate(_weekly_dates(today, weekday=2, weeks=6)):
        session.add(
            PrivateSession(
                organization_id=org.id,
                teacher_id=teacher.id,
                student_id=students[week % 3].id,
                venue_id=studios[week % 2].id,
                date=day,
                start_time=time(18, 0),
                duration_minutes=60,
                status=SessionStatus.HELD if day < today else SessionStatus.SCHEDULED,
            )
        )
    await session.flush()


async def count_users(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with unit_of_work(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)
