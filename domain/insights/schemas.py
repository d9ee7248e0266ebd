from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel

from domain.insights.rules import Reason
from domain.payments.models import PaymentMethod


class AttendanceRow(BaseModel):
    name: str
    marks: int
    attended: int
    absent: int
    rate: Decimal | None


class AttendanceSummary(BaseModel):
    scope: str  # "the organization", a student's, group's or teacher's name
    start: dt.date
    end: dt.date
    sessions: int
    marks: int
    attended: int
    absent: int
    excused: int
    rate: Decimal | None
    rows: list[AttendanceRow]  # per group (for a student) or per student (otherwise), lowest rate first


class StudentRisk(BaseModel):
    student_id: uuid.UUID
    full_name: str
    score: float  # the rules' points, or the fitted model's probability in percent
    probability: float | None = None  # 0-1, when the organization's fitted model scored it
    reasons: list[str]  # in English, for the API's readers
    reason_codes: list[Reason] = []  # the same reasons as data, for answers in other languages


class RiskReport(BaseModel):
    as_of: dt.date
    students_checked: int
    at_risk: list[StudentRisk]
    scope: str | None = None  # whose students, when narrowed ("Jazz Beginners"); None: everyone visible


class RevenueMonth(BaseModel):
    month: dt.date
    expected: Decimal
    collected: Decimal
    outstanding: Decimal
    received: Decimal


class RevenueSummary(BaseModel):
    start: dt.date
    end: dt.date
    currency: str
    expected: Decimal  # charges falling due in the period (voided ones excluded)
    collected: Decimal  # of which already paid
    outstanding: Decimal
    received: Decimal  # payments that arrived in the period, whatever they paid for
    months: list[RevenueMonth]
    # When narrowed (see domain/insights/revenue.py): whose tuition ("Jazz Beginners", "classes at
    # Sala Sur"), and the payment method that collected and received count; None: not narrowed.
    scope: str | None = None
    method: PaymentMethod | None = None


class TeacherLoadRow(BaseModel):
    teacher_id: uuid.UUID
    teacher_name: str
    held: int
    scheduled: int
    cancelled: int
    hours: Decimal
    groups: int
    substitutions: int  # classes taught standing in for someone else


class TeacherLoad(BaseModel):
    start: dt.date
    end: dt.date
    teachers: list[TeacherLoadRow]


class GroupHealthRow(BaseModel):
    group_id: uuid.UUID
    group_name: str
    students: int
    capacity: int | None
    rate: Decimal | None
    previous_rate: Decimal | None
    joined: int
    left: int
    flags: list[str]  # in English, for the API's readers
    flag_codes: list[Reason] = []  # the same warnings as data, for answers in other languages


class GroupHealth(BaseModel):
    start: dt.date
    end: dt.date
    groups: list[GroupHealthRow]


class StudentOverview(BaseModel):
    student_id: uuid.UUID
    full_name: str
    groups: list[str]
    since: dt.date | None
    attendance_rate: Decimal | None  # last 90 days
    last_attended: dt.date | None
    outstanding: Decimal | None  # None when the caller may not see money
    currency: str
    notes: list[str]
    receipts: list[str] = []  # latest receipt file names as uploaded (untrusted text), office only


class AbsentStreak(BaseModel):
    full_name: str
    group_name: str


class MissingData(BaseModel):
    """Records the office should complete: nobody can be reached, nobody teaches the group."""

    students_without_contact: list[str]
    groups_without_teacher: list[str]

    @property
    def empty(self) -> bool:
        return not (self.students_without_contact or self.groups_without_teacher)


class LatePayer(BaseModel):
    student_id: uuid.UUID
    full_name: str
    probability: float  # 0-1: of paying next month's tuition more than a week late
    reasons: list[str]  # in English, for the API's readers
    reason_codes: list[Reason] = []  # the same reasons as data, for answers in other languages


class LatePaymentReport(BaseModel):
    as_of: dt.date
    students_checked: int
    fitted: bool  # False: no fitted model yet, the share of recent charges paid late stands in
    late: list[LatePayer]


class ForecastMonth(BaseModel):
    month: dt.date
    expected: Decimal  # tuition expected to be charged that month, rounded to the cent


class RevenueForecast(BaseModel):
    as_of: dt.date
    currency: str
    churn_from_model: bool  # leaving chances from the fitted dropout model, else the recent leaving rate
    months: list[ForecastMonth]
    error: float | None = None  # its mean absolute percentage error on the last six months (0.04: 4%)


class EmptierClass(BaseModel):
    group_id: uuid.UUID
    group_name: str
    date: dt.date
    came: int
    usual: int  # the median of the group's previous eight held classes


class AttendanceAnomalies(BaseModel):
    start: dt.date
    end: dt.date
    classes: list[EmptierClass]  # most recent first
