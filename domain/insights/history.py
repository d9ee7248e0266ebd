"""An organization's history as plain frames, for the models: marks, memberships, tuition and payments.

Loaded once from the organization's own tables (never from ``simulated_traits``, the demo's hidden
truth), then cut to what was known on any date by ``History.known_on``: attendance marked by then,
memberships started by then (an end date after then is not known yet), tuition issued by then and
payments received by then. The back-test cuts the same frames on every as-of date it walks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.attendance.models import AttendanceRecord, AttendanceStatus
from domain.groups.models import StudentGroup
from domain.orgs.permissions import require_office
from domain.payments.models import Allocation, Charge, ChargeKind, Payment, PaymentState
from domain.sessions.models import ClassSession, SessionStatus
from domain.tenancy import TenantContext

if TYPE_CHECKING:
    import pandas as pd

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
OPEN = date.max.toordinal()  # the end of a membership that has not ended (as far as anyone knew)


def _day(value: date | None) -> int:
    return OPEN if value is None else value.toordinal()


@dataclass(frozen=True)
class History:
    """``marks``: student_id, group_id, day, came, absent (not excused) ·
    ``members``: student_id, group_id, start, end · ``charges``: charge_id, student_id, due, month,
    amount · ``paid``: charge_id, received, amount.

    Days are ordinals (``date.toordinal()``: whole-day arithmetic, fast comparisons); an open
    membership ends on ``OPEN``. Amounts are floats here: models, never money shown to anyone."""

    marks: pd.DataFrame
    members: pd.DataFrame
    charges: pd.DataFrame
    paid: pd.DataFrame
    ids: tuple[uuid.UUID, ...] = ()  # ids in the frames are small integers: the UUID of n is ids[n]

    def code_of(self) -> dict[uuid.UUID, int]:
        return {value: n for n, value in enumerate(self.ids)}

    @property
    def first_day(self) -> int | None:
        return int(self.members["start"].min()) if len(self.members) else None

    def known_on(self, as_of: int) -> History:
        """What the organization knew at the end of day ``as_of``: later facts cut, later end dates open."""
        members = self.members[self.members["start"] <= as_of].copy()
        members.loc[members["end"] > as_of, "end"] = OPEN
        return History(
            marks=self.marks[self.marks["day"] <= as_of],
            members=members,
            charges=self.charges[self.charges["month"] <= as_of],
            paid=self.paid[self.paid["received"] <= as_of],
            ids=self.ids,
        )


async def load_history(
    session: AsyncSession, tenant: TenantContext, *, since: date | None = None, money: bool = True
) -> History:
    """The organization's history (RLS chooses which; ``tenant`` is the caller). ``since`` keeps only the
    marks and charges from that day (memberships are always whole: tenure needs the first); without
    ``money``, no charges or payments are read (a caller who may not see them)."""
    import pandas as pd

    if money:
        require_office(tenant, "read payment history")

    marks = (
        await session.execute(
            select(
                AttendanceRecord.student_id,
                ClassSession.group_id,
                ClassSession.date,
                AttendanceRecord.status.in_(CAME),
                AttendanceRecord.status == AttendanceStatus.ABSENT,
                # The group's regular teacher that day (a substitute stands in for them).
                func.coalesce(ClassSession.substitute_for_teacher_id, ClassSession.teacher_id),
            )
            .join(ClassSession, ClassSession.id == AttendanceRecord.class_session_id)
            .where(
                ClassSession.group_id.is_not(None),
                ClassSession.status == SessionStatus.HELD,
                AttendanceRecord.is_guest.is_(False),
                ClassSession.date >= (since or date.min),
            )
        )
    ).all()
    members = (
        await session.execute(
            select(
                StudentGroup.student_id, StudentGroup.group_id, StudentGroup.start_date, StudentGroup.end_date
            )
        )
    ).all()
    charges = (
        []
        if not money
        else (
            await session.execute(
                select(
                    Charge.id, Charge.student_id, Charge.due_date, Charge.period_month, Charge.amount
                ).where(
                    Charge.kind == ChargeKind.TUITION,
                    Charge.voided_at.is_(None),
                    Charge.period_month.is_not(None),
                    Charge.due_date >= (since or date.min),
                )
            )
        ).all()
    )
    paid = (
        []
        if not money
        else (
            await session.execute(
                select(Allocation.charge_id, Payment.received_on, Allocation.amount)
                .join(Payment, Payment.id == Allocation.payment_id)
                .where(Payment.state == PaymentState.RECORDED, Payment.received_on >= (since or date.min))
            )
        ).all()
    )
    codes: dict[uuid.UUID, int] = {}

    def code(value: uuid.UUID) -> int:  # small integers hash and group far faster than UUIDs
        return codes.setdefault(value, len(codes))

    history = History(
        marks=pd.DataFrame(
            [
                (code(s), code(g), _day(d), bool(c), bool(a), code(t))
                for s, g, d, c, a, t in marks
                if g is not None
            ],
            columns=["student_id", "group_id", "day", "came", "absent", "teacher_id"],
        ).astype(
            {
                "student_id": "int64",
                "group_id": "int64",
                "day": "int64",
                "came": "bool",
                "absent": "bool",
                "teacher_id": "int64",
            }
        ),
        members=pd.DataFrame(
            [(code(s), code(g), _day(a), _day(b)) for s, g, a, b in members],
            columns=["student_id", "group_id", "start", "end"],
        ).astype({"student_id": "int64", "group_id": "int64", "start": "int64", "end": "int64"}),
        charges=pd.DataFrame(
            [(code(c), code(s), _day(d), _day(m), float(a)) for c, s, d, m, a in charges],
            columns=["charge_id", "student_id", "due", "month", "amount"],
        ).astype(
            {
                "charge_id": "int64",
                "student_id": "int64",
                "due": "int64",
                "month": "int64",
                "amount": "float64",
            }
        ),
        paid=pd.DataFrame(
            [(code(c), _day(r), float(a)) for c, r, a in paid], columns=["charge_id", "received", "amount"]
        ).astype({"charge_id": "int64", "received": "int64", "amount": "float64"}),
        ids=tuple(codes),
    )
    return history
