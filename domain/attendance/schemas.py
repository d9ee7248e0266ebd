from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from domain.attendance.models import AttendanceStatus
from domain.inputs import Flag, Line


class Mark(BaseModel):
    student_id: uuid.UUID
    status: AttendanceStatus
    guest: Flag = Field(default=False, description="A drop-in: allowed for a student not enrolled that day.")
    expected: AttendanceStatus | Literal["unmarked"] | None = Field(
        default=None,
        description="The mark the person saw before changing it ('unmarked' if none). When given and the "
        "recorded mark is different now, nothing is saved (409): a newer mark is never silently overwritten.",
    )


class MarkIn(BaseModel):
    marks: list[Mark] = Field(min_length=1, max_length=500)
    reason: Line | None = Field(
        default=None, max_length=500, description="Why earlier marks are being changed."
    )


class MarkAllExceptIn(BaseModel):
    except_student_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    status: AttendanceStatus = AttendanceStatus.PRESENT
    except_status: AttendanceStatus = AttendanceStatus.ABSENT


class OverrideIn(BaseModel):
    student_id: uuid.UUID
    status: AttendanceStatus
    reason: Line = Field(min_length=1, max_length=500)


class MarkChange(BaseModel):
    """One mark a request recorded or changed."""

    student_id: uuid.UUID
    full_name: str
    before: AttendanceStatus | None = Field(description="The mark recorded before; null if none was.")
    after: AttendanceStatus

    def said(self) -> str:
        """'Carmen Blanco absent → present' (or 'not marked → present')."""
        return f"{self.full_name} {self.before.value if self.before else 'not marked'} → {self.after.value}"


class MarkResult(BaseModel):
    session_id: uuid.UUID
    created: int
    corrected: int
    unchanged: int
    session_marked_held: bool
    changes: list[MarkChange] = Field(
        default_factory=list,
        description="Every mark recorded or corrected, by name (not the unchanged ones).",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """What changed, in one line: '2 changed: Carmen Blanco absent → present, …' or 'nothing changed'."""
        if not self.changes:
            return "nothing changed"
        return f"{len(self.changes)} changed: " + ", ".join(c.said() for c in self.changes)


class AttendanceOut(BaseModel):
    student_id: uuid.UUID
    full_name: str
    status: AttendanceStatus
    is_guest: bool


class MissingAttendance(BaseModel):
    session_id: uuid.UUID
    date: dt.date
    group_id: uuid.UUID | None
    group_name: str | None
    teacher_id: uuid.UUID
    teacher_name: str
    expected: int = Field(description="Students enrolled on that date.")
    marked: int = Field(description="Enrolled students with a mark.")


class MissingByTeacher(BaseModel):
    teacher_id: uuid.UUID
    teacher_name: str
    sessions: int
    missing_marks: int


class MissingReport(BaseModel):
    sessions: list[MissingAttendance]
    by_teacher: list[MissingByTeacher]
