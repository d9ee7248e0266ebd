"""Money over HTTP: a month of tuition, receipts, a statement, payouts; roles and other tenants' ids."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from PIL import Image

from domain.payments.storage import LocalStorage
from tests.channels.http.helpers import API, Browser, create_org, join, signup

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
THIS_MONTH = date.today().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


async def _school(make_client: Callable[[], AsyncClient], label: str) -> tuple[Browser, dict[str, str]]:
    admin = await signup(make_client(), f"{label}-admin")
    await create_org(admin, f"{label} school", country="ES")
    ids: dict[str, str] = {}
    ids["teacher"] = (
        await admin.post(
            "/teachers", {"full_name": "Lucía", "payment_type": "per_class", "rate_per_class": "40"}
        )
    ).json()["id"]
    ids["group"] = (await admin.post("/groups", {"name": "Salsa", "teacher_id": ids["teacher"]})).json()["id"]
    ids["student"] = (await admin.post("/students", {"full_name": "Ana García"})).json()["id"]
    await admin.post(
        f"/groups/{ids['group']}/members",
        {"student_id": ids["student"], "start_date": LAST_MONTH.isoformat()},
    )
    day = (LAST_MONTH + timedelta(days=2)).isoformat()
    session_id = (await admin.post("/sessions", {"group_id": ids["group"], "date": day})).json()["id"]
    await admin.post(f"/sessions/{session_id}/attendance/all-except", {"except_student_ids": []})
    run = await admin.post(f"/billing/tuition/{THIS_MONTH:%Y-%m}")
    assert run.status_code == 200 and run.json()["created"] == 1, run.text
    ids["charge"] = (await admin.get(f"/students/{ids['student']}/charges")).json()[0]["id"]
    paid = await admin.post(
        "/payments", {"student_id": ids["student"], "amount": "20.00", "received_on": THIS_MONTH.isoformat()}
    )
    ids["payment"] = paid.json()["payment"]["id"]
    ids["receipt"] = (await upload(admin, ids["student"], "receipt.pdf", PDF)).json()["id"]
    statement = (
        b"date,amount,payer,reference,currency\n" + f"{THIS_MONTH},25.00,Ana Garcia,cuota,EUR\n".encode()
    )
    await admin.client.post(
        f"{API}/bank-imports",
        files={"file": ("s.csv", statement, "text/csv")},
        data={"format": "csv:generic"},
        headers={"X-CSRF-Token": admin.csrf},
    )
    ids["line"] = (await admin.get("/reconciliation")).json()["bank_lines"][0]["id"]
    payout = await admin.post(
        "/payouts",
        {
            "teacher_id": ids["teacher"],
            "period_start": LAST_MONTH.isoformat(),
            "period_end": (THIS_MONTH - timedelta(days=1)).isoformat(),
        },
    )
    assert payout.status_code == 201, payout.text
    ids["payout"] = payout.json()["id"]
    return admin, ids


def stored(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


async def upload(browser: Browser, student_id: str, name: str, data: bytes) -> Any:
    return await browser.client.post(
        f"{API}/receipts",
        data={"student_id": student_id},
        files={"file": (name, data, "application/octet-stream")},
        headers={"X-CSRF-Token": browser.csrf},
    )


async def test_a_month_of_money_through_the_api(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin, ids = await _school(make_client, "a")
    unpaid = (await admin.get("/billing/unpaid")).json()
    assert [(s["full_name"], s["outstanding"]) for s in unpaid["students"]] == [("Ana García", "25.00")]
    inbox = (await admin.get("/reconciliation")).json()
    [line] = inbox["bank_lines"]
    assert line["status"] == "proposed" and line["proposed_student_id"] == ids["student"]
    assert [r["id"] for r in inbox["receipts"]] == [ids["receipt"]]
    assert (await admin.post(f"/bank-lines/{ids['line']}/confirm", {})).status_code == 200
    assert (await admin.get("/billing/unpaid")).json()["students"] == []
    balance = (await admin.get(f"/students/{ids['student']}/balance")).json()
    assert (balance["outstanding"], balance["credit"]) == ("0.00", "0.00")

    download = await admin.get(f"/receipts/{ids['receipt']}/file")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"

    payout = (await admin.get(f"/payouts/{ids['payout']}")).json()
    assert payout["total_amount"] == "40.00" and payout["lines"][0]["kind"] == "class"
    assert (await admin.post(f"/payouts/{ids['payout']}/paid")).json()["status"] == "paid"


async def test_bad_uploads_are_422_and_store_nothing(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin, ids = await _school(make_client, "a")
    before = stored(tmp_path)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    for name, data in (("r.svg", svg), ("../../x.pdf", PDF), ("r.pdf", b"MZ" + b"\x00" * 100)):
        r = await upload(admin, ids["student"], name, data)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid", name
    assert stored(tmp_path) == before
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, format="PNG")
    assert (await upload(admin, ids["student"], "ok.png", png.getvalue())).status_code == 201  # control


async def test_a_parent_uploads_with_a_link_and_nothing_else(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin, ids = await _school(make_client, "a")
    link = (await admin.post(f"/students/{ids['student']}/receipt-links")).json()
    parent = make_client()
    r = await parent.post(
        f"{API}/public/receipts/{link['token']}", files={"file": ("transfer.pdf", PDF, "application/pdf")}
    )
    assert r.status_code == 202
    r = await parent.post(
        f"{API}/public/receipts/wrong-token", files={"file": ("transfer.pdf", PDF, "application/pdf")}
    )
    assert r.status_code == 401
    assert (await parent.get(f"{API}/receipts/pending")).status_code == 401
    pending = (await admin.get("/receipts/pending")).json()
    assert [r["via_public_link"] for r in pending] == [False, True]


async def test_money_endpoints_are_for_the_office_and_payouts_for_admins(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin, ids = await _school(make_client, "a")
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")
    staff = await signup(make_client(), "staff")
    await join(admin, staff, "staff")
    teacher_attempts = [
        await teacher.get("/billing/unpaid"),
        await teacher.get(f"/students/{ids['student']}/balance"),
        await teacher.post(
            "/payments", {"student_id": ids["student"], "amount": "1", "received_on": "2026-11-01"}
        ),
        await teacher.get(f"/receipts/{ids['receipt']}/file"),
        await teacher.get("/reconciliation"),
        await teacher.get("/payouts/preview"),  # not linked to a teacher profile: no payout to see
    ]
    assert [r.status_code for r in teacher_attempts] == [403] * len(teacher_attempts)
    assert (await staff.get("/billing/unpaid")).status_code == 200  # control: staff handle payments
    assert (await staff.get("/payouts/preview")).status_code == 403
    settings = (await admin.get("/billing/settings")).json()
    assert (await staff.put("/billing/settings", settings | {"due_day": 10})).status_code == 403
    assert (await admin.put("/billing/settings", settings | {"due_day": 10})).json()[
        "due_day"
    ] == 10  # control


async def test_another_orgs_money_ids_are_404(
    make_client: Callable[[], AsyncClient], app: FastAPI, tmp_path: Path
) -> None:
    app.state.receipt_storage = LocalStorage(tmp_path)
    admin_a, _ = await _school(make_client, "a")
    admin_b, ids_b = await _school(make_client, "b")
    requests = [
        ("GET", f"/students/{ids_b['student']}/charges", None),
        ("GET", f"/students/{ids_b['student']}/balance", None),
        ("POST", "/payments", {"student_id": ids_b["student"], "amount": "5", "received_on": "2026-11-01"}),
        ("POST", f"/charges/{ids_b['charge']}/void", {"reason": "x"}),
        ("GET", f"/receipts/{ids_b['receipt']}/file", None),
        ("POST", f"/receipts/{ids_b['receipt']}/verify", {}),
        ("POST", f"/bank-lines/{ids_b['line']}/confirm", {"student_id": ids_b["student"]}),
        ("POST", f"/bank-lines/{ids_b['line']}/ignore", {"reason": "x"}),
        ("GET", f"/payouts/{ids_b['payout']}", None),
        ("POST", f"/payouts/{ids_b['payout']}/paid", None),
        ("GET", f"/payouts/preview?teacher_id={ids_b['teacher']}", None),
        ("POST", f"/students/{ids_b['student']}/receipt-links", None),
    ]
    statuses = {}
    for method, path, body in requests:
        response = await (admin_a.get(path) if method == "GET" else admin_a.post(path, body))
        statuses[f"{method} {path}"] = response.status_code
    assert {k: v for k, v in statuses.items() if v != 404} == {}
    # Control: B's admin reaches them.
    assert (await admin_b.get(f"/students/{ids_b['student']}/balance")).status_code == 200
    assert (await admin_b.get(f"/payouts/{ids_b['payout']}")).status_code == 200
    assert (await admin_b.get(f"/receipts/{ids_b['receipt']}/file")).status_code == 200
