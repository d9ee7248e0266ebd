"""Imports every model so that ``Base.metadata`` is complete (migrations, catalog tests)."""

from domain.absences.models import TeacherAbsence
from domain.actions.models import PendingAction
from domain.attendance.models import AttendanceRecord
from domain.audit.models import AuditEntry
from domain.auth.models import ApiKey, LoginAttempt, User, UserSession
from domain.banking.models import BankImport, BankLine
from domain.base import Base
from domain.cash_reports.models import CashReport
from domain.conversations.models import CopilotThread, CopilotTurn, RetrievalEntry
from domain.demo.models import SimulatedTrait
from domain.events.models import DomainEvent
from domain.exports.models import ExportedFile
from domain.groups.models import Group, StudentGroup
from domain.imports.models import ImportBatch
from domain.insights.models import InsightModel
from domain.notes.models import StudentNote
from domain.notifications.models import Notification, NotificationSettings, OptOut, TelegramAccount
from domain.orgs.models import Invitation, Organization, OrganizationMember
from domain.payments.models import Allocation, BillingSettings, Charge, Payment, Receipt, ReceiptLink
from domain.payouts.models import PayoutLine, TeacherPayout, TeacherRate
from domain.private_lessons.models import PrivateSession
from domain.scheduling.models import CalendarFeed, Closure, GroupSlot
from domain.sessions.models import ClassSession
from domain.students.models import Guardian, RegistrationSubmission, Student
from domain.teachers.models import Teacher
from domain.telegram.models import TelegramLinkCode, TelegramUpdate
from domain.venues.models import Venue
from domain.webhooks.models import WebhookEndpoint

__all__ = [
    "Allocation",
    "ApiKey",
    "AttendanceRecord",
    "AuditEntry",
    "BankImport",
    "BankLine",
    "Base",
    "BillingSettings",
    "CalendarFeed",
    "CashReport",
    "Charge",
    "ClassSession",
    "Closure",
    "CopilotThread",
    "CopilotTurn",
    "DomainEvent",
    "ExportedFile",
    "Group",
    "GroupSlot",
    "Guardian",
    "ImportBatch",
    "InsightModel",
    "Invitation",
    "LoginAttempt",
    "Notification",
    "NotificationSettings",
    "OptOut",
    "Organization",
    "OrganizationMember",
    "Payment",
    "PayoutLine",
    "PendingAction",
    "PrivateSession",
    "Receipt",
    "ReceiptLink",
    "RegistrationSubmission",
    "RetrievalEntry",
    "SimulatedTrait",
    "Student",
    "StudentGroup",
    "StudentNote",
    "Teacher",
    "TeacherAbsence",
    "TeacherPayout",
    "TeacherRate",
    "TelegramAccount",
    "TelegramLinkCode",
    "TelegramUpdate",
    "User",
    "UserSession",
    "Venue",
    "WebhookEndpoint",
]
