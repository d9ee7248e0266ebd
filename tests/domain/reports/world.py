"""A small school with three months of history, for checking every report against SQL of its own.

Built on ``tests.domain.studio`` (Lucía teaches Salsa with a user of her own; Marco teaches Bachata):
capacities, a second venue, joiners and leavers in September–November 2026, classes held, scheduled
and cancelled (one Salsa class given by Marco in Lucía's place), marks of every status, tuition charges
and payments by transfer and in cash. ``variant`` shifts a few numbers so two organizations differ.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.db import use_tenant
from domain.groups.models import StudentGroup
from domain.groups.service import active_on
from domain.payments import service as payments
from domain.payments.models import PaymentMethod
from domain.payments.schemas import PaymentIn
from domain.sessions.models import ClassSession, SessionStatus
from domain.students import service as students
from domain.students.schemas import StudentIn
from domain.venues import service as venues
from domain.venues.schemas import VenueIn
from tests.domain.studio import Studio, build_studio

TODAY = date(2026, 11, 20)
STATUSES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


async def build_school(session: AsyncSession, variant: int = 0) -> Studio:
    studio = await build_studio(session)
    admin = studio.admin
    await use_tenant(session, admin)
    norte = await venues.create_venue(session, admin, data=VenueIn(name="Studio Norte"))
    studio.salsa.capacity = 4
    studio.bachata.capacity = 3 + variant
    studio.bachata.venue_id = norte.id
    extra = ["Lola Ruiz", "Pablo Díaz", "Eva Gil"]
    for name in extra:
        student = await students.create_student(session, admin, data=StudentIn(full_name=name))
        studio.students[name.split()[0]] = student
    s = studio.students
    org = studio.org.id
    # Ana leaves Salsa on 20 October; Lola joins Salsa on 15 October; Pablo and Eva dance Bachata, Eva
    # from November; José also dances Bachata in September only (a leaver who stays a student).
    memberships = [
        (s["Lola"], studio.salsa, date(2026, 10, 15), None),
        (s["Pablo"], studio.bachata, date(2026, 9, 1), None),
        (s["Eva"], studio.bachata, date(2026, 11, 3), None),
        (s["José"], studio.bachata, date(2026, 9, 1), date(2026, 9, 30)),
    ]
    for student, group, begin, last in memberships:
        session.add(
            StudentGroup(
                organization_id=org, student_id=student.id, group_id=group.id, start_date=begin, end_date=last
            )
        )
    await session.flush()
    ana = await session.scalar(
        select(StudentGroup).where(
            StudentGroup.student_id == s["Ana"].id, StudentGroup.group_id == studio.salsa.id
        )
    )
    assert ana is not None
    ana.end_date = date(2026, 10, 20)
    # Classes: Salsa on Tuesdays 19:00–20:30 (Lucía), Bachata on Thursdays 20:00–21:00 (Marco).
    day, index = date(2026, 9, 1), 0
    while day <= date(2026, 11, 30):
        for group, weekday, starts, ends, teacher in (
            (studio.salsa, 1, time(19), time(20, 30), studio.lucia),
            (studio.bachata, 3, time(20), time(21), studio.marco),
        ):
            if day.weekday() != weekday:
                continue
            index += 1
            status = SessionStatus.HELD if day < TODAY else SessionStatus.SCHEDULED
            if index % 9 == 4 + variant:
                status = SessionStatus.CANCELLED
            taught_by, instead = teacher.id, None
            if group is studio.salsa and day == date(2026, 10, 13):
                taught_by, instead = studio.marco.id, studio.lucia.id
            venue = studio.venue.id if group is studio.salsa else norte.id
            held = ClassSession(
                organization_id=org,
                group_id=group.id,
                venue_id=venue,
                teacher_id=taught_by,
                substitute_for_teacher_id=instead,
                date=day,
                start_time=starts,
                end_time=ends,
                status=status,
            )
            session.add(held)
            await session.flush()
            if status is not SessionStatus.HELD or index % 7 == 0:  # some held classes left unmarked
                continue
            members = await session.scalars(
                select(StudentGroup.student_id)
                .where(StudentGroup.group_id == group.id, active_on(day))
                .order_by(StudentGroup.student_id)
            )
            for n, student_id in enumerate(members.all()):
                session.add(
                    AttendanceRecord(
                        organization_id=org,
                        class_session_id=held.id,
                        student_id=student_id,
                        status=STATUSES[(index + n + variant) % len(STATUSES)],
                    )
                )
        day += timedelta(days=1)
    await session.flush()
    for month in (date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)):
        await payments.generate_tuition(session, admin, month=month, today=month)
    for student, amount, received, method in (
        (s["José"], "45.00", date(2026, 9, 4), PaymentMethod.BANK_TRANSFER),
        (s["Sofía"], "90.00", date(2026, 10, 2), PaymentMethod.CASH),
        (s["Pablo"], "30.00", date(2026, 10, 28), PaymentMethod.BANK_TRANSFER),
        (s["Ana"], f"{20 + variant}.00", date(2026, 11, 6), PaymentMethod.CASH),
        (s["Lola"], "45.00", date(2026, 11, 10), PaymentMethod.BANK_TRANSFER),
    ):
        data = PaymentIn(student_id=student.id, amount=Decimal(amount), received_on=received, method=method)
        await payments.record_payment(session, admin, data=data)
    await session.flush()
    return studio
