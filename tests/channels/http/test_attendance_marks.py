"""The Today page's save over REST: only the marks sent are written, the response says exactly what
changed, and a mark made from a stale view is refused rather than overwriting a newer one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from httpx import AsyncClient

from tests.channels.http.helpers import Browser, create_org, error_code, signup

NAMES = ("Ana García", "Carmen Blanco", "José Martínez")


async def _class_with_three(make_client: Callable[[], AsyncClient]) -> tuple[Browser, str, dict[str, str]]:
    admin = await signup(make_client(), "marks-admin")
    await create_org(admin, "Marks school", country="ES")
    teacher = await admin.post(
        "/teachers", {"full_name": "Lucía", "payment_type": "per_class", "rate_per_class": "40"}
    )
    group = (await admin.post("/groups", {"name": "Salsa", "teacher_id": teacher.json()["id"]})).json()["id"]
    ids = {}
    for name in NAMES:
        ids[name] = (await admin.post("/students", {"full_name": name})).json()["id"]
        enrolled = await admin.post(
            f"/groups/{group}/members", {"student_id": ids[name], "start_date": "2026-09-01"}
        )
        assert enrolled.status_code == 201, enrolled.text
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    session_id = (await admin.post("/sessions", {"group_id": group, "date": yesterday})).json()["id"]
    return admin, session_id, ids


async def _marks(admin: Browser, session_id: str) -> dict[str, str]:
    return {
        m["full_name"]: m["status"] for m in (await admin.get(f"/sessions/{session_id}/attendance")).json()
    }


async def test_saving_only_the_changed_marks_leaves_the_others_untouched_and_says_what_changed(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, session_id, ids = await _class_with_three(make_client)
    first = await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["Carmen Blanco"], "status": "absent", "expected": "unmarked"}]},
    )
    assert first.status_code == 200, first.text
    assert first.json()["summary"] == "1 changed: Carmen Blanco not marked → absent"

    # The page sends only José, whom the person changed; Carmen's absence is not sent, so not rewritten.
    saved = await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["José Martínez"], "status": "late", "expected": "unmarked"}]},
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["created"], body["corrected"], body["unchanged"]) == (1, 0, 0)
    assert body["changes"] == [
        {"student_id": ids["José Martínez"], "full_name": "José Martínez", "before": None, "after": "late"}
    ]
    assert body["summary"] == "1 changed: José Martínez not marked → late"
    assert await _marks(admin, session_id) == {"Carmen Blanco": "absent", "José Martínez": "late"}

    corrected = await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["Carmen Blanco"], "status": "present", "expected": "absent"}]},
    )
    assert corrected.json()["summary"] == "1 changed: Carmen Blanco absent → present"
    same = await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["José Martínez"], "status": "late"}]},
    )
    assert (same.json()["corrected"], same.json()["unchanged"], same.json()["summary"]) == (
        0,
        1,
        "nothing changed",
    )


async def test_a_save_from_a_stale_page_is_a_409_and_changes_nothing(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, session_id, ids = await _class_with_three(make_client)
    await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["Ana García"], "status": "absent"}]},
    )
    stale = await admin.post(
        f"/sessions/{session_id}/attendance",
        {
            "marks": [
                {"student_id": ids["Ana García"], "status": "present", "expected": "unmarked"},
                {"student_id": ids["José Martínez"], "status": "present", "expected": "unmarked"},
            ]
        },
    )
    assert stale.status_code == 409 and error_code(stale) == "conflict"
    assert "Ana García is now absent" in stale.json()["error"]["message"]
    assert await _marks(admin, session_id) == {"Ana García": "absent"}
    bad = await admin.post(
        f"/sessions/{session_id}/attendance",
        {"marks": [{"student_id": ids["Ana García"], "status": "present", "expected": "gone"}]},
    )
    assert bad.status_code == 422 and await _marks(admin, session_id) == {"Ana García": "absent"}


async def test_all_except_and_override_responses_list_the_marks_they_changed(
    make_client: Callable[[], AsyncClient],
) -> None:
    admin, session_id, ids = await _class_with_three(make_client)
    await admin.post(
        f"/sessions/{session_id}/attendance", {"marks": [{"student_id": ids["Ana García"], "status": "late"}]}
    )
    everyone = await admin.post(
        f"/sessions/{session_id}/attendance/all-except", {"except_student_ids": [ids["José Martínez"]]}
    )
    assert everyone.json()["summary"] == (
        "3 changed: Ana García late → present, Carmen Blanco not marked → present,"
        " José Martínez not marked → absent"
    )
    override = await admin.post(
        f"/sessions/{session_id}/attendance/override",
        {"student_id": ids["José Martínez"], "status": "excused", "reason": "doctor's note"},
    )
    assert override.json()["summary"] == "1 changed: José Martínez absent → excused"
