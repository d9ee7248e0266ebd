"""The schedule over HTTP: slots, generation, the week, closures, substitutes and feeds, by role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from httpx import AsyncClient

from tests.channels.http.helpers import create_org, join, signup


async def test_the_office_runs_the_schedule_and_a_teacher_reads_it(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin, timezone="Europe/Madrid")
    teacher = await signup(make_client(), "teacher")
    await join(admin, teacher, "teacher")
    lucia = (
        await admin.post(
            "/teachers", {"full_name": "Lucía Romero", "payment_type": "per_class", "rate_per_class": "40.00"}
        )
    ).json()
    group = (await admin.post("/groups", {"name": "Salsa", "teacher_id": lucia["id"]})).json()
    today = date.today()
    slot = await admin.post(
        f"/groups/{group['id']}/slots",
        {
            "weekday": today.weekday(),
            "start_time": "18:00",
            "end_time": "19:00",
            "valid_from": today.isoformat(),
        },
    )
    assert slot.status_code == 201, slot.text
    bad = await admin.post(
        f"/groups/{group['id']}/slots",
        {"weekday": 9, "start_time": "18:00", "end_time": "17:00", "valid_from": today.isoformat()},
    )
    assert bad.status_code == 422
    assert (await teacher.post(f"/groups/{group['id']}/slots", slot.json() | {"id": None})).status_code in (
        403,
        422,
    )

    generated = await admin.post("/schedule/generate", {"until": (today + timedelta(days=13)).isoformat()})
    assert generated.status_code == 200 and generated.json()["created"] == 2
    assert (await admin.post("/schedule/generate", {})).json()[
        "created"
    ] == 3  # the 4-week horizon adds the rest
    assert (await teacher.post("/schedule/generate", {})).status_code == 403

    week = (await admin.get("/schedule/week")).json()
    assert [s["date"] for s in week] == [today.isoformat()]
    closed = await admin.post(
        "/closures", {"start_date": (today + timedelta(days=7)).isoformat(), "reason": "Fair"}
    )
    assert closed.status_code == 201 and closed.json()["cancelled_sessions"] == 1
    assert (
        await teacher.post("/closures", {"start_date": today.isoformat(), "reason": "x"})
    ).status_code == 403

    feed = await admin.post("/calendar-feeds", {"kind": "group", "target_id": group["id"]})
    assert feed.status_code == 201
    ics = await admin.client.get(feed.json()["url"].split("127.0.0.1:8000")[-1])
    assert ics.status_code == 200 and ics.text.count("BEGIN:VEVENT") == 5
