"""Late payers and the tuition forecast, for the office: the stored models when fitted, with reasons.

Both read the history from the organization's own tables (``load_history``) and say their reasons
as codes (``Reason``) with an English sentence, like the dropout list.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.insights import late
from domain.insights.backtest.harness import forecast_error
from domain.insights.features import dropout_features
from domain.insights.forecast import forecast
from domain.insights.history import load_history
from domain.insights.risk import current_members
from domain.insights.rules import Reason
from domain.insights.schemas import ForecastMonth, LatePayer, LatePaymentReport, RevenueForecast
from domain.insights.store import DROPOUT, LATE_PAYMENT, stored_model
from domain.money import money
from domain.orgs.permissions import require_office
from domain.orgs.service import get_organization
from domain.students.models import Student
from domain.tenancy import TenantContext

LATE_HISTORY_DAYS = 240  # six charges and some


def _late_reasons(share: float, charges: int, overdue: int) -> tuple[list[str], list[Reason]]:
    sentences, codes = [], []
    if charges:
        paid_late = round(share * charges)
        sentences.append(f"paid {paid_late} of their last {charges} tuition charges late")
        codes.append(Reason("paid_late", {"count": paid_late, "of": charges}))
    if overdue >= 1:
        sentences.append(f"tuition {overdue} days overdue")
        codes.append(Reason("tuition_overdue", {"days": overdue}))
    return sentences, codes


async def late_payment_risk(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    today: date,
    limit: int = 20,
    group_id: uuid.UUID | None = None,
    teacher_id: uuid.UUID | None = None,
    venue_id: uuid.UUID | None = None,
) -> LatePaymentReport:
    """Active students likely to pay next month's tuition late (office only), most likely first; of the
    current members of one group, of one teacher's groups or of the groups meeting at one venue when
    given (scored as in the whole school)."""
    require_office(tenant, "see who may pay late")
    model = await stored_model(session, LATE_PAYMENT)
    history = await load_history(session, tenant, since=today - timedelta(days=LATE_HISTORY_DAYS))
    features = late.late_features(history, today.toordinal())
    scores = late.late_scores(history, today.toordinal(), model)
    if group_id is not None or teacher_id is not None or venue_id is not None:
        query = current_members(today, group_id=group_id, teacher_id=teacher_id, venue_id=venue_id)
        members = set((await session.scalars(query)).all())
        in_group = [n for n in scores.index if history.ids[n] in members]
        features, scores = features.loc[in_group], scores.loc[in_group]
    listed = scores[scores >= late.LISTED_FROM].sort_values(ascending=False)
    ids = [history.ids[n] for n in listed.index]
    names = dict(
        (await session.execute(select(Student.id, Student.full_name).where(Student.id.in_(ids)))).all()
    )
    payers = []
    for n, probability in zip(listed.index.tolist(), listed.tolist(), strict=True):
        row = {
            k: float(v) for k, v in features.loc[n, ["charges_raw", "late_streak", "overdue_days"]].items()
        }
        charges = round(row["charges_raw"])
        share = row["late_streak"] if charges else 0.0
        sentences, codes = _late_reasons(share, charges, int(row["overdue_days"]))
        student_id = history.ids[n]
        payers.append(
            LatePayer(
                student_id=student_id,
                full_name=names.get(student_id, ""),
                probability=round(float(probability), 3),
                reasons=sentences,
                reason_codes=codes,
            )
        )
    payers.sort(key=lambda p: (-p.probability, p.full_name))
    return LatePaymentReport(
        as_of=today, students_checked=len(features), fitted=model is not None, late=payers[:limit]
    )


async def revenue_forecast(
    session: AsyncSession, tenant: TenantContext, *, today: date, months: int = 3
) -> RevenueForecast:
    """Tuition expected in each of the next ``months`` months (office only), with the method's error
    on the organization's own last six months."""
    require_office(tenant, "see the revenue forecast")
    history = await load_history(session, tenant)
    model = await stored_model(session, DROPOUT)
    leaving: dict[object, float] | None = None
    if model is not None:
        features = dropout_features(history, today.toordinal())
        leaving = dict(zip(features.index, model.probability(features), strict=True))
    org = await get_organization(session, tenant)
    error, _ = forecast_error(history, today)
    return RevenueForecast(
        as_of=today,
        currency=org.currency,
        churn_from_model=leaving is not None,
        months=[
            ForecastMonth(month=m.month, expected=money(Decimal(str(round(m.expected, 2)))))
            for m in forecast(history, today, months=months, leave_probability=leaving)
        ],
        error=None if error is None else round(error, 4),
    )
