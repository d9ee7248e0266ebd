"""One spreadsheet row read into a student with guardians, family and groups, or the reasons it cannot be.

Pure: no database. Names keep their accents (matching folds them); emails and phones are checked with the
same rules as the API (phones in the organization's country unless written with +/00); dates ISO or
day-first (``25/03/2015``), or a date cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from pydantic import ValidationError

from domain.contact import clean_email, clean_name, clean_phone
from domain.errors import Invalid
from domain.imports.mapping import MAX_GUARDIANS
from domain.imports.reading import Formula, Value
from domain.students.schemas import GuardianIn, StudentIn
from domain.text import fold

MEMBERSHIP = re.compile(r"^(?P<name>.+?)\s*\((?:since|desde)\s+(?P<since>[^)]+)\)\s*$", re.IGNORECASE)
T = TypeVar("T")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")


@dataclass(frozen=True)
class RowError:
    column: str | None
    message: str


@dataclass
class GuardianRow:
    full_name: str
    relationship: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class MembershipRow:
    group: str  # as written; matched to a group by its folded name
    since: date


@dataclass
class StudentRow:
    number: int  # the spreadsheet's row number (the header is row 1)
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    notes: str | None = None
    family: str | None = None
    groups: list[MembershipRow] = field(default_factory=list)
    guardians: list[GuardianRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    empty: bool = False

    @property
    def key(self) -> str:
        return fold(self.full_name or "")


def _checked(row: StudentRow, column: str | None, parse: Callable[[], T]) -> T | None:
    """``parse()``, or None with the reason noted against the row and column."""
    try:
        return parse()
    except Invalid as exc:
        row.errors.append(RowError(column, exc.message))
        return None


def parse_date(value: Value) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Invalid("Not a date: {text!r} (write 2015-03-25 or 25/03/2015).", values={"text": text})


def _text(value: Value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _memberships(cell: str, default_since: date) -> list[MembershipRow]:
    found: list[MembershipRow] = []
    for part in re.split(r"[;,\n]", cell):
        part = part.strip()
        if not part:
            continue
        match = MEMBERSHIP.match(part)
        if match:
            found.append(MembershipRow(match["name"].strip(), parse_date(match["since"])))
        else:
            found.append(MembershipRow(part, default_since))
    return found


def parse_row(
    number: int,
    cells: dict[str, Value],
    headers: dict[str, str],
    *,
    country: str | None,
    today: date,
    implied: dict[int, str],
) -> StudentRow:
    """``cells`` maps field → value, ``headers`` field → the column's header (to name it in errors),
    ``implied`` guardian slot → the relationship its header said ("madre")."""
    row = StudentRow(number)
    if all(v is None for v in cells.values()):
        row.empty = True
        return row
    for key, value in cells.items():
        if isinstance(value, Formula):
            row.errors.append(
                RowError(headers[key], f"A formula ({value[:40]}) is not imported: paste its value instead.")
            )
    if row.errors:
        return row

    def col(key: str) -> str | None:
        return headers.get(key)

    name = _text(cells.get("full_name")) or " ".join(
        t for t in (_text(cells.get("first_name")), _text(cells.get("last_name"))) if t
    )
    if not name.strip():
        row.errors.append(RowError(col("full_name") or col("first_name"), "The name is empty."))
    else:
        row.full_name = _checked(row, col("full_name") or col("first_name"), lambda: clean_name(name))
    row.email = _checked(row, col("email"), lambda: clean_email(_text(cells.get("email"))))
    row.phone = _checked(row, col("phone"), lambda: clean_phone(_text(cells.get("phone")), country=country))
    born_cell = cells.get("date_of_birth")
    born = (
        _checked(row, col("date_of_birth"), lambda: parse_date(born_cell)) if born_cell is not None else None
    )
    if born is not None and not date(1900, 1, 1) <= born <= today:
        row.errors.append(RowError(col("date_of_birth"), f"A date of birth cannot be {born.isoformat()}."))
    else:
        row.date_of_birth = born
    row.notes = _text(cells.get("notes"))
    row.family = _text(cells.get("family"))
    start_cell, groups_cell = cells.get("start_date"), cells.get("groups")
    since = (
        _checked(row, col("start_date"), lambda: parse_date(start_cell)) if start_cell else None
    ) or today
    if groups_cell is not None:
        row.groups = _checked(row, col("groups"), lambda: _memberships(str(groups_cell), since)) or []
    for n in range(1, MAX_GUARDIANS + 1):
        guardian = _guardian_of(row, n, cells, headers, country=country, relationship=implied.get(n))
        if guardian is not None:
            row.guardians.append(guardian)
    return row


def _guardian_of(
    row: StudentRow,
    n: int,
    cells: dict[str, Value],
    headers: dict[str, str],
    *,
    country: str | None,
    relationship: str | None,
) -> GuardianRow | None:
    keys = {part: f"guardian{n}_{part}" for part in ("name", "relationship", "email", "phone")}
    values = {part: _text(cells.get(key)) for part, key in keys.items()}
    if not any(values.values()):
        return None
    if not values["name"]:
        row.errors.append(
            RowError(headers.get(keys["email"]) or headers.get(keys["phone"]), "A guardian needs a name.")
        )
        return None
    try:
        return GuardianRow(
            full_name=clean_name(values["name"], field="guardian"),
            relationship=values["relationship"] or relationship,
            email=clean_email(values["email"], field="guardian"),
            phone=clean_phone(values["phone"], country=country, field="guardian"),
        )
    except Invalid as exc:
        column = headers.get(keys["email"]) if "email" in exc.message.lower() else headers.get(keys["phone"])
        row.errors.append(RowError(column, exc.message))
        return None


def student_in(row: StudentRow) -> StudentIn:
    """The row as the API's own input model (its limits: lengths, four guardians, a birth date)."""
    return StudentIn(
        full_name=row.full_name or "",
        email=row.email,
        phone=row.phone,
        date_of_birth=row.date_of_birth,
        notes=row.notes,
        guardians=[
            GuardianIn(full_name=g.full_name, relationship=g.relationship, email=g.email, phone=g.phone)
            for g in row.guardians
        ],
    )


def check_limits(row: StudentRow) -> None:
    """Note against the row whatever the input model refuses (a 5,001-character note, a long relationship)."""
    if row.empty or row.errors:
        return
    try:
        student_in(row)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            row.errors.append(RowError(None, f"{where}: {error['msg']}"))
