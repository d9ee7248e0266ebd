"""What the reports return: plain rows (one flat table each), documented field by field."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from domain.insights.rules import Reason
from domain.payments.models import PaymentMethod

Every = Literal["week", "month"]
AttendanceBy = Literal["group", "teacher", "student", "venue"]
Rate = Decimal | None  # a fraction 0–1 with four places; None when there is nothing to divide by


class AttendanceRow(BaseModel):
    period: dt.date = Field(description="The Monday of the week or the first of the month.")
    key_id: uuid.UUID | None = Field(
        description="The group, teacher, student or venue; None: no group/venue."
    )
    name: str
    marks: int
    attended: int = Field(description="Present or late.")
    absent: int
    excused: int
    rate: Rate = Field(description="attended / marks")


class AttendancePoint(BaseModel):
    period: dt.date
    marks: int
    attended: int
    rate: Rate


class AttendanceReport(BaseModel):
    start: dt.date
    end: dt.date
    by: AttendanceBy
    every: Every
    rows: list[AttendanceRow]
    trend: list[AttendancePoint] = Field(description="Every mark of the period, per week or month.")
    change: Decimal | None = Field(
        default=None, description="The last period's rate minus the first's (negative: attendance fell)."
    )


class RevenueMonthRow(BaseModel):
    month: dt.date
    expected: Decimal = Field(description="Charges (not voided) due in the month.")
    collected: Decimal = Field(description="What has been paid of those charges, whenever it came.")
    outstanding: Decimal = Field(description="expected - collected")
    received: Decimal = Field(description="Payments recorded as arriving in the month.")


class RevenueGroupRow(BaseModel):
    group_id: uuid.UUID
    group_name: str
    expected: Decimal = Field(description="Tuition due in the period of the group's members that month.")
    collected: Decimal
    received: Decimal = Field(description="The part of payments arriving in the period that paid it.")


class RevenueMethodRow(BaseModel):
    method: PaymentMethod
    collected: Decimal = Field(description="Paid this way of the charges due in the period.")
    received: Decimal = Field(description="Payments arriving this way in the period.")


class OutstandingAgeRow(BaseModel):
    age: Literal["0-30", "31-60", "60+"] = Field(description="Days since the due date, on as_of.")
    charges: int
    amount: Decimal


class RevenueReport(BaseModel):
    start: dt.date
    end: dt.date
    as_of: dt.date = Field(description="Outstanding is counted on this day: the end, or today if earlier.")
    currency: str
    expected: Decimal
    collected: Decimal
    received: Decimal
    rows: list[RevenueMonthRow]
    by_group: list[RevenueGroupRow]
    by_method: list[RevenueMethodRow]
    outstanding_by_age: list[OutstandingAgeRow]


class TeacherLoadRow(BaseModel):
    teacher_id: uuid.UUID
    teacher_name: str
    classes: int = Field(description="Classes held (taught) in the period.")
    scheduled: int = Field(description="Classes still scheduled (future, or not yet marked as held).")
    cancelled: int
    hours: Decimal = Field(description="Hours of the classes held (classes without times count 0).")
    substitutions: int = Field(description="Classes held standing in for another teacher.")
    covered_by_others: int = Field(description="Their classes held by a substitute.")
    seats: int = Field(description="Capacity of the held classes whose group has one.")
    attended: int = Field(description="Present or late in those same classes.")
    fill_rate: Rate = Field(description="attended / seats")
    pay: Decimal | None = Field(
        description="What the payout rules owe for the period (the payout preview); None for staff, who do "
        "not see payouts."
    )
    pay_per_hour: Decimal | None = Field(description="pay / hours")


class TeacherLoadReport(BaseModel):
    start: dt.date
    end: dt.date
    currency: str
    rows: list[TeacherLoadRow]


class GroupHealthRow(BaseModel):
    group_id: uuid.UUID
    group_name: str
    capacity: int | None
    enrolled: int = Field(description="Members on the last day of the period.")
    fill: Rate = Field(description="enrolled / capacity")
    enrolled_at_start: int
    joined: int = Field(description="Memberships starting in the period.")
    left: int = Field(description="Memberships ending in the period.")
    churn: Rate = Field(description="left / (enrolled_at_start + joined): the share of members who left")
    marks: int
    attended: int
    rate: Rate
    first_rate: Rate = Field(description="Attendance rate of the period's first month.")
    last_rate: Rate = Field(description="Attendance rate of the period's last month.")


class GroupMonthRow(BaseModel):
    group_id: uuid.UUID
    group_name: str
    month: dt.date
    enrolled_at_start: int
    enrolled: int = Field(description="Members on the month's last day (within the period).")
    joined: int
    left: int
    churn: Rate
    marks: int
    attended: int
    rate: Rate


class GroupHealthReport(BaseModel):
    start: dt.date
    end: dt.date
    rows: list[GroupHealthRow]
    months: list[GroupMonthRow]


class EnrolmentMonthRow(BaseModel):
    month: dt.date
    active: int = Field(description="Students with a membership on the month's last day (within the period).")
    new: int = Field(description="Active at the month's end, not on the day before it began.")
    lost: int = Field(description="Active on the day before the month began, not at its end.")
    net: int


class EnrolmentReport(BaseModel):
    start: dt.date
    end: dt.date
    rows: list[EnrolmentMonthRow]


class DashboardRevenue(BaseModel):
    expected: Decimal = Field(description="This month's charges.")
    collected: Decimal = Field(description="Paid of them so far.")
    received: Decimal = Field(description="Money that arrived this month.")


class DashboardStudent(BaseModel):
    student_id: uuid.UUID
    full_name: str
    amount: Decimal | None = Field(default=None, description="What they owe (the unpaid list).")
    detail: str = Field(default="", description="Why listed: the risk's reasons, in the asked language.")
    reason_codes: list[Reason] = Field(default_factory=list, description="The same reasons as data.")


class DashboardClass(BaseModel):
    session_id: uuid.UUID
    date: dt.date
    start_time: dt.time | None
    group_name: str
    teacher_name: str
    status: str
    marked: int | None = None
    expected: int | None = None


class Dashboard(BaseModel):
    today: dt.date
    month: dt.date
    currency: str
    revenue: DashboardRevenue | None = Field(description="None for a teacher (school money is the office's).")
    unpaid_count: int | None
    unpaid_amount: Decimal | None
    unpaid: list[DashboardStudent]
    attendance_trend: list[AttendancePoint] = Field(description="The last eight weeks, week by week.")
    at_risk_count: int
    at_risk: list[DashboardStudent]
    missing_count: int = Field(description="Classes of the last 30 days with attendance not (fully) taken.")
    missing: list[DashboardClass]
    classes_today: list[DashboardClass]
