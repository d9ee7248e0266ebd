"""Every route whose OpenAPI says it answers CSV and xlsx, found from the document (a route made
exportable tomorrow is covered too): the office gets both files; a teacher's files leak nothing their JSON
would not show (a colleague's student, contact details, rates, money), with their own rows as the control."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from httpx import AsyncClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from tests.channels.http.test_teacher_visibility import (
    API,
    SECRETS,
    account_emails,
    colleague_params,
    leaks,
    logged_in,
    scene,
)
from tests.conftest import REPORT

CSV, XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exportable(app: FastAPI) -> list[str]:
    paths = app.openapi()["paths"]
    return sorted(
        path
        for path, ops in paths.items()
        if CSV in ops.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    )


async def test_every_exportable_route_gives_files_and_a_teacher_only_their_own(
    session: AsyncSession, app: FastAPI, make_client: Callable[[], AsyncClient]
) -> None:
    s = await scene(session)
    paths = exportable(app)
    assert len(paths) >= 15, paths
    own = {"group_id": str(s.studio.salsa.id), "student_id": str(s.studio.students["Ana"].id)}
    office = await logged_in(session, make_client(), s.studio.admin.user_id)
    teacher = await logged_in(session, make_client(), s.studio.teacher.user_id)
    secrets = SECRETS + await account_emails(session, s)
    found: dict[str, list[str]] = {}
    teacher_files = office_files = 0
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: own.get(m.group(1), str(uuid.uuid4())), path)
        csv = await office.client.get(url, params={"format": "csv"})
        assert csv.status_code < 500, (path, csv.text[:200])
        if csv.status_code != 200:  # a report that needs parameters of its own says so (a 4xx)
            assert csv.json()["error"]["code"] in ("invalid", "not_found"), (path, csv.text[:200])
            continue
        office_files += 1
        assert csv.headers["content-type"].startswith(CSV), path
        assert (
            csv.content.startswith("\ufeff".encode()) and "attachment" in csv.headers["content-disposition"]
        )
        xlsx = await office.client.get(url, params={"format": "xlsx"})
        assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX, path
        assert load_workbook(io.BytesIO(xlsx.content)).active is not None
        aimed = re.sub(r"\{(\w+)\}", lambda m: colleague_params(s).get(m.group(1), str(uuid.uuid4())), path)
        for asked in (url, aimed):
            for fmt in ("csv", "xlsx"):
                r = await teacher.client.get(asked, params={"format": fmt})
                assert r.status_code < 500, (asked, r.status_code)
                if r.status_code != 200:
                    continue
                teacher_files += 1
                text = r.text if fmt == "csv" else _cells(r.content)
                if bad := leaks(text, secrets):
                    found[f"{asked} {fmt}"] = bad
    assert found == {}
    assert office_files >= len(paths) - 3, office_files  # nearly all answer with no parameters at all
    assert teacher_files > len(paths)  # the control: teachers do get files of their own
    theirs = await teacher.client.get(f"{API}/students", params={"format": "csv"})
    assert "Ana García" in theirs.text
    REPORT["export matrix"] = (
        f"{len(paths)} exportable routes x csv/xlsx: {office_files} office files, "
        f"{teacher_files} teacher files, 0 leaks"
    )


def _cells(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
