"""The reports over REST: who may read which report (admin, staff, a teacher, an API key), what bad input
gets (a 4xx in the error envelope, never a 500), the charts (a Vega-Lite spec, a PNG drawn offline), and the
chart scripts served by Cadence with a long cache under the version the pages name."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from importlib import metadata
from typing import Any

from httpx import AsyncClient

from channels.http.routes.reports import reasons_in
from channels.web.routes import STATIC
from domain.insights.rules import Reason
from tests.channels.http.helpers import API, Browser, create_org, error_code, join, signup

TODAY = date.today()
START = (TODAY.replace(day=1) - timedelta(days=40)).replace(day=1)
PERIOD = {"start": START.isoformat(), "end": TODAY.isoformat()}


async def _school(make_client: Callable[[], AsyncClient]) -> tuple[Browser, Browser, Browser, dict[str, str]]:
    """Lucía (a teacher with a login) teaches Salsa, Marco teaches Bachata; one class each last month with
    marks; this month's tuition made and half of Ana's paid."""
    admin = await signup(make_client(), "admin")
    await create_org(admin, country="ES")
    teacher, staff = await signup(make_client(), "lucia"), await signup(make_client(), "staff")
    await join(admin, teacher, "teacher")
    await join(admin, staff, "staff")
    lucia_user = (await teacher.get("/auth/me")).json()["user"]["id"]
    ids: dict[str, str] = {}
    for key, name, user in (("lucia", "Lucía Romero", lucia_user), ("marco", "Marco Bianchi", None)):
        body = {"full_name": name, "payment_type": "per_class", "rate_per_class": "40", "user_id": user}
        ids[key] = (await admin.post("/teachers", body)).json()["id"]
    for key, name, teacher_key, student in (
        ("salsa", "Salsa", "lucia", "Ana García"),
        ("bachata", "Bachata", "marco", "Lola Ruiz"),
    ):
        ids[key] = (
            await admin.post("/groups", {"name": name, "teacher_id": ids[teacher_key], "capacity": 10})
        ).json()["id"]
        ids[student] = (await admin.post("/students", {"full_name": student})).json()["id"]
        joined = {"student_id": ids[student], "start_date": START.isoformat()}
        assert (await admin.post(f"/groups/{ids[key]}/members", joined)).status_code == 201
        day = {
            "group_id": ids[key],
            "date": (START + timedelta(days=3)).isoformat(),
            "start_time": "19:00",
            "end_time": "20:00",
        }
        made = await admin.post("/sessions", day)
        assert made.status_code == 201, made.text
        marks = {"marks": [{"student_id": ids[student], "status": "present"}]}
        assert (await admin.post(f"/sessions/{made.json()['id']}/attendance", marks)).status_code in (
            200,
            201,
        )
    assert (await admin.post(f"/billing/tuition/{TODAY:%Y-%m}")).status_code in (200, 201)
    paid = {"student_id": ids["Ana García"], "amount": "20.00", "received_on": TODAY.isoformat()}
    assert (await admin.post("/payments", paid)).status_code == 201
    return admin, staff, teacher, ids


def _names(body: dict[str, Any]) -> set[str]:
    return {row["name"] for row in body["rows"]}


async def test_each_role_reads_what_it_may(make_client: Callable[[], AsyncClient]) -> None:
    admin, staff, teacher, ids = await _school(make_client)
    for path in (
        "/reports/attendance",
        "/reports/teachers",
        "/reports/groups",
        "/reports/enrolment",
        "/reports/revenue",
    ):
        for who in (admin, staff):
            r = await who.get(path, params=PERIOD)
            assert r.status_code == 200, (path, r.text)
            assert r.json()["rows"], path
    assert _names((await admin.get("/reports/attendance", params=PERIOD)).json()) == {"Salsa", "Bachata"}
    # Staff see the load without the pay (payouts are the admin's); the admin sees it.
    pay = {
        r["teacher_name"]: r["pay"]
        for r in (await admin.get("/reports/teachers", params=PERIOD)).json()["rows"]
    }
    assert pay == {"Lucía Romero": "40.00", "Marco Bianchi": "40.00"}
    staff_rows = (await staff.get("/reports/teachers", params=PERIOD)).json()["rows"]
    assert [r["pay"] for r in staff_rows] == [None, None] and [r["classes"] for r in staff_rows] == [1, 1]
    # A teacher: her own classes and groups (the control: they are there), nobody else's, no school money.
    mine = (await teacher.get("/reports/attendance", params=PERIOD)).json()
    assert _names(mine) == {"Salsa"}
    assert [
        r["teacher_name"] for r in (await teacher.get("/reports/teachers", params=PERIOD)).json()["rows"]
    ] == ["Lucía Romero"]
    assert [
        r["group_name"] for r in (await teacher.get("/reports/groups", params=PERIOD)).json()["rows"]
    ] == ["Salsa"]
    refused = await teacher.get("/reports/revenue", params=PERIOD)
    assert refused.status_code == 403 and error_code(refused) == "forbidden"
    other_group = await teacher.get("/reports/attendance", params={**PERIOD, "group_id": ids["bachata"]})
    assert other_group.status_code == 403
    own_group = await teacher.get("/reports/attendance", params={**PERIOD, "group_id": ids["salsa"]})
    assert own_group.status_code == 200 and _names(own_group.json()) == {"Salsa"}
    dashboard = (await teacher.get("/reports/dashboard")).json()
    assert dashboard["revenue"] is None and dashboard["unpaid_count"] is None
    office = (await admin.get("/reports/dashboard")).json()
    assert office["revenue"]["collected"] == "20.00" and office["unpaid_count"] == 2


async def test_an_api_key_reads_reports_and_another_organization_sees_none_of_them(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, _, _, ids = await _school(make_client)
    key = (await admin.post("/org/api-keys", {"name": "reports", "scopes": ["read"]})).json()["key"]
    bearer = make_client()
    r = await bearer.get(f"{API}/reports/revenue", params=PERIOD, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and r.json()["rows"]
    stranger = await signup(make_client(), "stranger")
    await create_org(stranger)
    theirs = await stranger.get("/reports/attendance", params=PERIOD)
    assert theirs.status_code == 200 and theirs.json()["rows"] == []  # the first school's rows exist (above)
    unknown = await stranger.get("/reports/attendance", params={**PERIOD, "group_id": ids["salsa"]})
    assert unknown.status_code == 404 and "error" in unknown.json()


async def test_bad_input_is_a_clear_4xx(make_client: Callable[[], AsyncClient]) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    cases: list[tuple[str, dict[str, str]]] = [
        ("/reports/attendance", {"start": "2026-11-30", "end": "2026-11-01"}),
        ("/reports/attendance", {"by": "planet"}),
        ("/reports/attendance", {"every": "decade"}),
        ("/reports/revenue", {"start": "yesterday"}),
        ("/reports/groups", {"start": "2020-01-01", "end": "2026-01-01"}),
        ("/reports/attendance", {"group_id": "not-a-uuid"}),
        ("/reports/nonsense/chart", {}),
        ("/reports/enrolment", {"end": "0001-01-15"}),  # no date arithmetic overflows into a 500
        ("/reports/revenue", {"start": "9999-12-01", "end": "9999-12-31"}),
        ("/reports/attendance/chart.png", {"start": "2026-11-30", "end": "2026-11-01"}),
    ]
    for path, params in cases:
        r = await admin.get(path, params=params)
        assert r.status_code in (404, 422), (path, params, r.status_code)
        assert set(r.json()["error"]) >= {"code", "message"}, (path, params)


async def test_charts_as_a_spec_and_as_a_png(make_client: Callable[[], AsyncClient]) -> None:
    admin, _, _, _ = await _school(make_client)
    for report in ("attendance", "revenue", "teachers", "groups", "enrolment", "dashboard"):
        spec = (await admin.get(f"/reports/{report}/chart", params=PERIOD)).json()
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/"), report
        if report != "dashboard":  # its trend is the last eight weeks: the classes here are older
            assert re.search(r'"values": \[\{', json.dumps(spec)), report  # the data is inline
    png = await admin.get("/reports/revenue/chart.png", params={**PERIOD, "language": "es"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and len(png.content) > 5000


async def test_the_chart_scripts_are_served_here_with_a_long_cache(client: AsyncClient) -> None:
    version = metadata.version("vl-convert-python")
    r = await client.get(f"/charts/vega-{version}.js")
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert "window.vegaEmbed" in r.text and "https://" not in r.text[-200:]
    assert (await client.get("/charts/vega-0.0.1.js")).status_code == 404  # only the installed version
    for page in ("dashboard.html", "reports.html"):
        html = (STATIC / page).read_text(encoding="utf-8")
        assert f'<script src="/charts/vega-{version}.js"></script>' in html, page  # the installed bundle
        assert "<script>" not in html and "http" not in html.replace("http-equiv", ""), (
            page
        )  # no CDN, no inline


async def test_each_report_downloads_its_rows_as_csv_and_xlsx(make_client: Callable[[], AsyncClient]) -> None:
    admin, _, teacher, _ = await _school(make_client)
    for report in ("attendance", "revenue", "teachers", "groups", "enrolment"):
        rows = (await admin.get(f"/reports/{report}", params=PERIOD)).json()["rows"]
        csv = await admin.get(f"/reports/{report}", params={**PERIOD, "format": "csv"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv"), report
        lines = [line for line in csv.content.decode("utf-8-sig").splitlines() if line]
        assert len(lines) == len(rows) + 1, report  # a header, then the JSON's rows
        xlsx = await admin.get(f"/reports/{report}", params={**PERIOD, "format": "xlsx"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK", report
    refused = await teacher.get("/reports/revenue", params={**PERIOD, "format": "csv"})
    assert refused.status_code == 403  # the same checks as the JSON (the admin's download is the control)
    mine = await teacher.get("/reports/attendance", params={**PERIOD, "format": "csv"})
    assert "Salsa" in mine.text and "Bachata" not in mine.text


def test_risk_reasons_are_said_in_spanish_for_a_spanish_dashboard() -> None:
    codes = [Reason("missed_last_two"), Reason("joined_recently", {"days": 40})]
    assert reasons_in("es", codes) == "ha faltado a las 2 últimas clases; empezó hace solo 40 días"
    assert reasons_in("en", codes).startswith(
        "missed the last 2 classes"
    )  # the control: English as the domain
