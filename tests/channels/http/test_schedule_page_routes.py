"""The schedule page's new routes: ending a weekly class from a date (its classes still to come are
cancelled, earlier ones kept; a slot never used is removed), and the public holidays of the school's
country and region. The office may, a teacher may not (with the office doing the same as control)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from httpx import AsyncClient

from tests.channels.http.helpers import Browser, create_org, join, signup


async def school_with_a_weekly_class(
    make_client: Callable[[], AsyncClient],
) -> tuple[Browser, Browser, Browser, dict[str, str], date]:
    admin = await signup(make_client(), "admin")
    await create_org(admin, timezone="UTC", country="ES")
    staff, teacher = await signup(make_client(), "staff"), await signup(make_client(), "teacher")
    await join(admin, staff, "staff")
    await join(admin, teacher, "teacher")
    lucia = await admin.post(
        "/teachers", {"full_name": "Lucía Romero", "payment_type": "per_class", "rate_per_class": "40.00"}
    )
    group = (await admin.post("/groups", {"name": "Bachata", "teacher_id": lucia.json()["id"]})).json()
    today = date.today()
    slot = await admin.post(
        f"/groups/{group['id']}/slots",
        {
            "weekday": today.weekday(),
            "start_time": "19:00",
            "end_time": "20:00",
            "valid_from": today.isoformat(),
        },
    )
    assert slot.status_code == 201, slot.text
    return admin, staff, teacher, {"group": group["id"], "slot": slot.json()["id"]}, today


async def test_ending_a_weekly_class_cancels_what_is_still_to_come_and_keeps_the_rest(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, staff, teacher, ids, today = await school_with_a_weekly_class(make_client)
    generated = await admin.post("/schedule/generate", {"until": (today + timedelta(days=27)).isoformat()})
    assert generated.json()["created"] == 4
    from_date = (today + timedelta(days=14)).isoformat()

    refused = await teacher.post(f"/slots/{ids['slot']}/end", {"from_date": from_date})
    assert refused.status_code == 403
    past = await staff.post(
        f"/slots/{ids['slot']}/end", {"from_date": (today - timedelta(days=1)).isoformat()}
    )
    assert past.status_code == 422 and past.json()["error"]["details"]["field"] == "from_date"

    ended = await staff.post(
        f"/slots/{ids['slot']}/end", {"from_date": from_date, "reason": "Summer timetable"}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["cancelled_sessions"] == 2
    assert ended.json()["slot"]["valid_until"] == (today + timedelta(days=13)).isoformat()
    weeks = [
        (
            await admin.get("/schedule/week", params={"day": (today + timedelta(days=7 * n)).isoformat()})
        ).json()
        for n in range(4)
    ]
    states = [[(s["status"], s["cancel_reason"]) for s in week] for week in weeks]
    assert states == [
        [("scheduled", None)],
        [("scheduled", None)],
        [("cancelled", "Summer timetable")],
        [("cancelled", "Summer timetable")],
    ]
    again = await admin.post("/schedule/generate", {"until": (today + timedelta(days=60)).isoformat()})
    assert again.json()["created"] == 0  # an ended class is not generated again


async def test_a_weekly_class_withdrawn_before_its_first_day_never_yields_a_class(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, _, _, ids, today = await school_with_a_weekly_class(make_client)
    later = today + timedelta(days=60)
    mistake = await admin.post(
        f"/groups/{ids['group']}/slots",
        {
            "weekday": later.weekday(),
            "start_time": "10:00",
            "end_time": "11:00",
            "valid_from": later.isoformat(),
        },
    )
    gone = await admin.post(f"/slots/{mistake.json()['id']}/end", {"from_date": today.isoformat()})
    assert gone.status_code == 200 and gone.json()["cancelled_sessions"] == 0
    in_force = (await admin.get(f"/groups/{ids['group']}/slots", params={"on": later.isoformat()})).json()
    assert [s["id"] for s in in_force] == [ids["slot"]]
    made = await admin.post("/schedule/generate", {"until": (later + timedelta(days=21)).isoformat()})
    week = (await admin.get("/schedule/week", params={"day": later.isoformat()})).json()
    assert made.status_code == 200 and [s["start_time"] for s in week] == ["19:00:00"]  # not the 10:00 one


async def test_the_public_holidays_of_the_schools_region(make_client: Callable[[], AsyncClient]) -> None:
    admin, staff, teacher, _, _ = await school_with_a_weekly_class(make_client)
    year = {"since": "2027-01-01", "until": "2027-12-31"}
    spain = (await staff.get("/schedule/holidays", params=year)).json()
    assert (spain["country"], spain["region"], spain["skipped"]) == ("ES", None, False)
    days = [h["date"] for h in spain["holidays"]]
    assert "2027-01-06" in days and "2027-05-02" not in days  # Epiphany; Madrid's own day is not Spain's
    assert (await admin.patch("/org", {"holiday_region": "MD", "public_holidays": True})).status_code == 200
    madrid = (await teacher.get("/schedule/holidays", params=year)).json()  # reading the calendar is anyone's
    assert madrid["skipped"] is True and "2027-05-03" in [h["date"] for h in madrid["holidays"]]
    named = (await staff.get("/schedule/holidays", params=year | {"language": "es"})).json()["holidays"]
    assert {"date": "2027-01-06", "name": "Epifanía del Señor"} in named
    english = (await staff.get("/schedule/holidays", params=year | {"language": "en"})).json()["holidays"]
    assert {"date": "2027-01-06", "name": "Epiphany"} in english
    backwards = await admin.get("/schedule/holidays", params={"since": "2027-05-01", "until": "2027-01-01"})
    assert backwards.status_code == 422


async def test_the_schools_calendar_link_carries_every_class_and_is_the_offices(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, staff, teacher, ids, today = await school_with_a_weekly_class(make_client)
    other = (await admin.post("/groups", {"name": "Salsa"})).json()
    lucia = (await admin.get("/teachers")).json()[0]["id"]
    await admin.patch(f"/groups/{other['id']}", {"teacher_id": lucia})
    await admin.post(
        f"/groups/{other['id']}/slots",
        {
            "weekday": today.weekday(),
            "start_time": "20:00",
            "end_time": "21:00",
            "valid_from": today.isoformat(),
        },
    )
    await admin.post("/schedule/generate", {"until": (today + timedelta(days=6)).isoformat()})

    assert (await teacher.post("/calendar-feeds", {"kind": "school"})).status_code == 403
    assert (await staff.post("/calendar-feeds", {"kind": "group"})).status_code == 422  # which group?
    made = await staff.post("/calendar-feeds", {"kind": "school", "target_id": ids["group"]})
    assert made.status_code == 201, made.text
    assert (
        made.json()["kind"] == "school" and made.json()["target_id"] != ids["group"]
    )  # the school, whatever asked
    ics = await admin.client.get(made.json()["url"].split("127.0.0.1:8000")[-1])
    assert ics.status_code == 200
    assert ics.text.count("BEGIN:VEVENT") == 2 and "Bachata" in ics.text and "Salsa" in ics.text
    group_feed = await staff.post("/calendar-feeds", {"kind": "group", "target_id": ids["group"]})
    only_bachata = await admin.client.get(group_feed.json()["url"].split("127.0.0.1:8000")[-1])
    assert only_bachata.text.count("BEGIN:VEVENT") == 1  # the control: a group's link has its own class only


async def test_another_school_cannot_end_this_schools_weekly_class(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, _, _, ids, today = await school_with_a_weekly_class(make_client)
    assert (await admin.post("/schedule/generate", {})).json()["created"] >= 4  # our classes exist
    stranger = await signup(make_client(), "stranger")
    await create_org(stranger, timezone="UTC", country="ES")
    theirs = await stranger.post(f"/slots/{ids['slot']}/end", {"from_date": today.isoformat()})
    assert theirs.status_code == 404  # row-level security: that slot does not exist for them
    feed = await stranger.post("/calendar-feeds", {"kind": "school"})
    ics = await stranger.client.get(feed.json()["url"].split("127.0.0.1:8000")[-1])
    assert ics.status_code == 200 and "Bachata" not in ics.text  # their school's link: none of ours
    [slot] = (await admin.get(f"/groups/{ids['group']}/slots")).json()
    assert slot["valid_until"] is None  # the control: it is there, untouched
    mine = await admin.post(f"/slots/{ids['slot']}/end", {"from_date": today.isoformat()})
    assert mine.status_code == 200
