"""Imports every model so that ``Base.metadata`` is complete (migrations, catalog tests)."""

from domain.attendance.models import AttendanceRecord
from domain.audit.models import AuditEntry
from domain.auth.models import ApiKey, LoginAttempt, User, UserSession
from domain.base import Base
from domain.demo.models import SimulatedTrait
from domain.events.models import DomainEvent
from domain.groups.models import Group, StudentGroup
from domain.orgs.models import Invitation, Organization, OrganizationMember
from domain.payments.models import StudentPayment
from domain.payouts.models import TeacherPayout
from domain.private_lessons.models import PrivateSession
from domain.sessions.models import ClassSession
from domain.students.models import Guardian, RegistrationSubmission, Student
from domain.teachers.models import Teacher
from domain.venues.models import Venue

__all__ = [
    "ApiKey",
    "AttendanceRecord",
    "AuditEntry",
    "Base",
    "ClassSession",
    "DomainEvent",
    "Group",
    "Guardian",
    "Invitation",
    "LoginAttempt",
    "Organization",
    "OrganizationMember",
    "PrivateSession",
    "RegistrationSubmission",
    "SimulatedTrait",
    "Student",
    "StudentGroup",
    "StudentPayment",
    "Teacher",
    "TeacherPayout",
    "User",
    "UserSession",
    "Venue",
]
