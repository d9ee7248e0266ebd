from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.db import use_tenant
from domain.errors import Conflict, Forbidden, NotFound, TooManyRequests
from domain.registration import service as registration
from domain.registration.schemas import PublicRegistrationIn
from domain.students.models import Guardian, RegistrationSubmission, Student, StudentStatus
from tests.domain.studio import build_studio

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_submission_creates_a_pending_student_and_guardian_in_the_forms_org_only(
    session: AsyncSession,
) -> None:
    school = await build_studio(session)
    other = await build_studio(session)
    form = PublicRegistrationIn(
        full_name="Nora Blanco",
        email="nora@example.org",
        guardian_name="Pilar Blanco",
        guardian_phone="699 123 456",
        message="Beginner, 9 years old",
    )
    await registration.submit(session, org_slug=school.org.slug, data=form, ip="203.0.113.5", now=NOW)

    await use_tenant(session, school.admin)
    [pending] = await registration.list_pending(session, school.admin)
    assert (pending.full_name, pending.email, pending.possible_duplicate_of) == (
        "Nora Blanco",
        "nora@example.org",
        None,
    )
    student = await session.get(Student, pending.student_id)
    assert student and (student.status, student.source) == (StudentStatus.PENDING, "public_form")
    assert [g.phone for g in (await session.execute(select(Guardian))).scalars()] == ["+34699123456"]
    await use_tenant(session, other.admin)
    assert await registration.list_pending(session, other.admin) == []  # nothing landed elsewhere


async def test_the_honeypot_drops_spam_silently(session: AsyncSession) -> None:
    school = await build_studio(session)
    await registration.submit(
        session,
        org_slug=school.org.slug,
        data=PublicRegistrationIn(full_name="Buy Now", website="http://spam"),
        ip="198.51.100.1",
        now=NOW,
    )
    await use_tenant(session, school.admin)
    assert await registration.list_pending(session, school.admin) == []
    outcomes = (await session.execute(select(RegistrationSubmission.outcome))).scalars().all()
    assert outcomes == ["spam"]


async def test_submissions_are_rate_limited_per_address(session: AsyncSession) -> None:
    school = await build_studio(session)
    for n in range(registration.SUBMISSIONS_PER_HOUR):
        await registration.submit(
            session,
            org_slug=school.org.slug,
            data=PublicRegistrationIn(full_name=f"Kid {n}"),
            ip="192.0.2.7",
            now=NOW,
        )
    with pytest.raises(TooManyRequests):
        await registration.submit(
            session,
            org_slug=school.org.slug,
            data=PublicRegistrationIn(full_name="One More"),
            ip="192.0.2.7",
            now=NOW,
        )
    await registration.submit(
        session,
        org_slug=school.org.slug,
        data=PublicRegistrationIn(full_name="Other Address"),
        ip="192.0.2.8",
        now=NOW,
    )  # control: another address is not limited
    await registration.submit(
        session,
        org_slug=school.org.slug,
        data=PublicRegistrationIn(full_name="Next Hour"),
        ip="192.0.2.7",
        now=NOW + timedelta(hours=2),
    )


async def test_a_probable_duplicate_is_flagged_not_merged(session: AsyncSession) -> None:
    school = await build_studio(session)
    ana = school.students["Ana"]
    ana.email = "ana@example.org"
    await session.flush()
    await registration.submit(
        session,
        org_slug=school.org.slug,
        data=PublicRegistrationIn(full_name="Ana G.", email="ANA@example.org"),
        ip=None,
        now=NOW,
    )
    await use_tenant(session, school.admin)
    [pending] = await registration.list_pending(session, school.admin)
    assert pending.possible_duplicate_of == ana.id
    assert (await session.execute(select(RegistrationSubmission.outcome))).scalars().all() == ["duplicate"]


async def test_the_office_approves_or_rejects_once(session: AsyncSession) -> None:
    school = await build_studio(session)
    for name in ("Keep Me", "Not Me"):
        await registration.submit(
            session, org_slug=school.org.slug, data=PublicRegistrationIn(full_name=name), ip=None, now=NOW
        )
    await use_tenant(session, school.admin)
    keep, drop = await registration.list_pending(session, school.admin)
    with pytest.raises(Forbidden):
        await registration.decide(session, school.teacher, keep.student_id, approve=True, reason=None)
    approved = await registration.decide(session, school.staff, keep.student_id, approve=True, reason=None)
    rejected = await registration.decide(session, school.admin, drop.student_id, approve=False, reason="spam")
    assert (approved.status, rejected.status) == (StudentStatus.ACTIVE, StudentStatus.REJECTED)
    with pytest.raises(Conflict):
        await registration.decide(session, school.admin, drop.student_id, approve=True, reason=None)
    assert await registration.list_pending(session, school.admin) == []


async def test_an_unknown_form_is_not_found_and_writes_nothing(session: AsyncSession) -> None:
    before = await count(session, RegistrationSubmission)
    with pytest.raises(NotFound):
        await registration.submit(
            session, org_slug="no-such-school", data=PublicRegistrationIn(full_name="X"), ip=None, now=NOW
        )
    assert await count(session, RegistrationSubmission) == before
