"""The ``spreadsheet`` tool: a read's answer as a file, with exactly the checks of asking the read itself.

Every refusal (a write, an unknown tool, itself, a read the role may not use) makes nothing — no file kept,
no pending action — and each is paired with a control that does make the file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import uuid
from datetime import UTC, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.actions.models import PendingAction
from domain.exports import kept
from domain.exports.models import ExportedFile
from domain.payments import service as payments
from domain.sessions import service as sessions
from domain.sessions.schemas import SessionIn
from domain.tenancy import TenantContext
from tests.domain.studio import Studio, build_studio
from tools import runner
from tools.base import ToolContext
from tools.catalog import CATALOG, schema

NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)
NAMES = ("Ana García", '=HYPERLINK("http://x") Pérez', "Sofía López")


def ctx(session: AsyncSession, tenant: TenantContext, language: str = "en") -> ToolContext:
    return ToolContext(session=session, tenant=tenant, today=NOW.date(), now=NOW, language=language)


async def studio(session: AsyncSession) -> Studio:
    built = await build_studio(session, names=NAMES)
    await sessions.create_session(
        session, built.admin, data=SessionIn(group_id=built.salsa.id, date=NOW.date(), start_time=time(18))
    )
    await payments.generate_tuition(session, built.admin, month=NOW.date(), today=NOW.date())
    return built


async def count(session: AsyncSession, model: type[ExportedFile] | type[PendingAction]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_contract_the_planner_is_wired_to() -> None:
    tool = CATALOG["spreadsheet"]
    params = schema(tool)["parameters"]
    assert tool.kind.value == "read" and set(params["properties"]) == {"tool", "args", "format"}
    assert params["required"] == ["tool"] and params["properties"]["format"]["default"] == "xlsx"


async def test_unpaid_as_xlsx_holds_numbers_a_currency_and_no_formula(session: AsyncSession) -> None:
    built = await studio(session)
    out = await runner.call(ctx(session, built.admin), "spreadsheet", {"tool": "unpaid_students"})
    assert not out.failed, out.output.text
    file = out.output.data["file"]
    assert file["download_url"] == f"/api/v1/chat/files/{file['id']}" and file["filename"].endswith(".xlsx")
    _, content = await kept.fetch(session, built.admin, uuid.UUID(file["id"]), now=NOW)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert "Full name" in header and "Outstanding" in header and header[-1] == "Currency"
    by_name = {r[header.index("Full name")]: r for r in rows[1:]}
    assert set(by_name) == set(NAMES) and out.output.data["row_count"] == 3
    risky = by_name[NAMES[1]]
    assert isinstance(risky[header.index("Outstanding")], int | float | Decimal)
    assert risky[header.index("Currency")] == "EUR"
    assert (
        sheet.cell(row=2 + list(by_name).index(NAMES[1]), column=header.index("Full name") + 1).data_type
        == "s"
    )


async def test_csv_in_spanish_escapes_formulas_and_keeps_dates_iso(session: AsyncSession) -> None:
    built = await studio(session)
    args = {"tool": "unpaid_students", "format": "csv"}
    out = await runner.call(ctx(session, built.admin, "es"), "spreadsheet", args)
    assert out.output.text.startswith("Aquí tienes unpaid_students-2026-11-24.csv")
    _, content = await kept.fetch(session, built.admin, uuid.UUID(out.output.data["file"]["id"]), now=NOW)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "Nombre completo" in rows[0] and "Pendiente" in rows[0] and "Moneda" in rows[0]
    names = [r[rows[0].index("Nombre completo")] for r in rows[1:]]
    assert "'" + NAMES[1] in names and NAMES[1] not in names
    due = rows[1][rows[0].index("Vencimiento")]
    assert due == "" or (len(due) == 10 and due[4] == "-")
    assert Decimal(rows[1][rows[0].index("Pendiente")]) > 0  # a dot, no thousands: a number


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"tool": "mark_attendance", "args": {"group": "salsa"}}, "only a list can go in a spreadsheet"),
        ({"tool": "no_such_list"}, "There is no list called 'no_such_list'"),
        ({"tool": "spreadsheet", "args": {"tool": "unpaid_students"}}, "Ask for the list itself"),
        ({"tool": "unpaid_students", "format": "pdf"}, "format"),
        ({"tool": "unpaid_students", "args": {"month": "November"}}, "month"),
    ],
)
async def test_refusals_make_nothing(session: AsyncSession, asked: dict[str, object], said: str) -> None:
    built = await studio(session)
    out = await runner.call(ctx(session, built.admin), "spreadsheet", asked)
    assert out.failed and said in out.output.text
    assert await count(session, ExportedFile) == 0 and await count(session, PendingAction) == 0


async def test_a_teacher_gets_no_file_of_a_list_for_the_office_but_one_of_their_roster(
    session: AsyncSession,
) -> None:
    built = await studio(session)
    refused = await runner.call(ctx(session, built.teacher), "spreadsheet", {"tool": "unpaid_students"})
    assert refused.failed and "can't use unpaid_students" in refused.output.text
    assert await count(session, ExportedFile) == 0
    roster = {"tool": "group_roster", "args": {"group": "salsa"}}
    allowed = await runner.call(ctx(session, built.teacher), "spreadsheet", roster)  # the control
    assert not allowed.failed and allowed.output.data["file"] is not None, allowed.output.text
    assert await count(session, ExportedFile) == 1


async def test_an_answer_with_no_list_says_so_and_makes_nothing(session: AsyncSession) -> None:
    built = await build_studio(session, names=("Ana García",))  # nothing charged: nobody owes anything
    out = await runner.call(ctx(session, built.admin), "spreadsheet", {"tool": "unpaid_students"})
    assert not out.failed and out.output.data["file"] is None and "no list" in out.output.text
    assert await count(session, ExportedFile) == 0


def test_loading_the_catalogue_does_not_import_openpyxl() -> None:
    """``cadence ask`` loads the catalogue on every run: the xlsx writer's import waits for a file."""
    code = "import sys, tools.catalog; sys.exit('openpyxl' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)  # noqa: S603 - our code
    assert ran.returncode == 0
