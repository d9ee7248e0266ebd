"""Pure rules of marking: which marks a request would record or correct, and when a mark made from an
older view of the class must be refused. No database here; the service feeds in what is recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.attendance.models import AttendanceStatus
from domain.attendance.schemas import Mark, MarkChange
from domain.errors import Conflict

UNMARKED = "unmarked"  # what a Mark's ``expected`` says when the person saw no mark


@dataclass(frozen=True)
class MarkPlan:
    """What a marking would do, computed without writing. Its marks carry the status recorded now as
    ``expected``, so applying them later refuses if any of those marks changed in between: what is
    applied is exactly what was previewed."""

    session_id: uuid.UUID
    marks: list[Mark]
    changes: list[MarkChange]  # recorded (before is None) or corrected, by name
    unchanged: int

    @property
    def corrections(self) -> list[MarkChange]:
        return [c for c in self.changes if c.before is not None]

    @property
    def new(self) -> int:
        return len(self.changes) - len(self.corrections)


def changes_of(
    marks: list[Mark],
    recorded: dict[uuid.UUID, AttendanceStatus],
    students: dict[uuid.UUID, tuple[str, str]],
) -> tuple[list[MarkChange], int]:
    """The marks that would be recorded or corrected, in name order, and how many are already so."""
    changes = []
    for mark in marks:
        before = recorded.get(mark.student_id)
        if before is not mark.status:
            changes.append(
                MarkChange(
                    student_id=mark.student_id,
                    full_name=students[mark.student_id][0],
                    before=before,
                    after=mark.status,
                )
            )
    changes.sort(key=lambda c: (students[c.student_id][1], c.full_name))
    return changes, len(marks) - len(changes)


def refuse_stale(
    marks: list[Mark],
    recorded: dict[uuid.UUID, AttendanceStatus],
    students: dict[uuid.UUID, tuple[str, str]],
) -> None:
    """A mark made from an older view of the class must not overwrite what was recorded since."""
    stale = []
    for mark in marks:
        recorded_now = recorded.get(mark.student_id)
        now_is = recorded_now.value if recorded_now is not None else UNMARKED
        if mark.expected is not None and mark.expected != now_is:
            stale.append((students[mark.student_id][0], mark.student_id, now_is))
    if stale:
        said = ", ".join(
            f"{name} is now {'not marked' if now_is == UNMARKED else now_is}" for name, _, now_is in stale
        )
        raise Conflict(
            "Attendance changed since it was shown: {said}. Nothing was saved; look again and save.",
            values={"said": said},
            details={"students": [{"student_id": str(i), "now": now_is} for _, i, now_is in stale]},
        )
