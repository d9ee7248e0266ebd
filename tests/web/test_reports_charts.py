"""The report charts as PNG over REST on an organization with no data yet: every report draws an empty
chart (a 500 was seen on ``/reports/revenue/chart.png``: Vega-Lite could not size a grouped bar chart with
no bars), and bad input to the PNG route is a clear 4xx in the error envelope."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from tests.channels.http.helpers import create_org, signup

PNG = b"\x89PNG\r\n\x1a\n"


async def test_every_chart_of_an_empty_school_is_an_empty_png(make_client: Callable[[], AsyncClient]) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin, country="ES")
    for report in ("revenue", "attendance", "teachers", "groups", "enrolment", "dashboard"):
        for language in ("en", "es"):
            r = await admin.get(f"/reports/{report}/chart.png", params={"language": language})
            assert r.status_code == 200, (report, language, r.status_code, r.text[:200])
            assert r.headers["content-type"] == "image/png" and r.content.startswith(PNG), report


async def test_bad_input_to_the_png_route_is_a_clear_4xx(make_client: Callable[[], AsyncClient]) -> None:
    admin = await signup(make_client(), "admin")
    await create_org(admin)
    cases: list[tuple[str, dict[str, str]]] = [
        ("/reports/revenue/chart.png", {"language": "klingon"}),
        ("/reports/revenue/chart.png", {"start": "2026-02-30"}),
        ("/reports/revenue/chart.png", {"start": "0001-01-01", "end": "0001-01-31"}),
        ("/reports/revenue/chart.png", {"start": "2020-01-01", "end": "2026-01-01"}),  # over three years
        ("/reports/attendance/chart.png", {"every": "decade"}),
        ("/reports/attendance/chart.png", {"group_id": "not-a-uuid"}),
        ("/reports/planets/chart.png", {}),
    ]
    for path, params in cases:
        r = await admin.get(path, params=params)
        assert r.status_code in (404, 422), (path, params, r.status_code)
        assert set(r.json()["error"]) >= {"code", "message"}, (path, params)
    good = {"start": "2026-01-01", "end": "2026-03-31"}
    control = await admin.get("/reports/revenue/chart.png", params=good)
    assert control.status_code == 200 and control.content.startswith(PNG)  # the same route, good input
