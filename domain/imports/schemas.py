from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["new", "existing", "error", "empty"]


class RowProblem(BaseModel):
    column: str | None = Field(description="The column's header as written in the file, if one is to blame.")
    message: str


class RowOutcome(BaseModel):
    row: int = Field(description="The spreadsheet's row number (the header is row 1).")
    outcome: Outcome
    full_name: str | None
    student_id: uuid.UUID | None = Field(default=None, description="The existing student it matches.")
    changes: list[str] = Field(default_factory=list, description="What applying will do for this row.")
    errors: list[RowProblem] = Field(default_factory=list)


class ImportPreview(BaseModel):
    filename: str
    content_sha256: str
    columns: dict[str, str | None] = Field(description="Each header → the field it fills (null: ignored).")
    rows: list[RowOutcome]
    counts: dict[str, int]
    new_groups: list[str]
    can_apply: bool = Field(description="No row has an error (empty rows are skipped).")
    already_applied: bool = Field(description="This very file, with this mapping, was applied before.")


class ImportResult(BaseModel):
    batch_id: uuid.UUID
    already_applied: bool
    students_created: int
    students_matched: int
    guardians_created: int
    memberships_created: int
    groups_created: int
    families_set: int
    rows_skipped: int = Field(description="Rows in error left out (only with skip_invalid).")
