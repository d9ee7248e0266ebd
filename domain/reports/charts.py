# mypy: disable-error-code="no-untyped-call, no-any-return"
# (Altair's schema classes are generated and partly untyped; the specs are checked by the tests instead.)
"""Charts of the reports: a Vega-Lite spec built with Vega-Altair from a report's rows, drawn by the web
pages (vega-embed, served by Cadence) and rendered to PNG without a browser or the network by
vl-convert, for Telegram answers and the weekly digest. One spec for both, so the picture is the same.

Altair and vl-convert are imported when a chart is asked for, not with the reports: most callers never draw.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from domain.reports.schemas import (
    AttendanceReport,
    Dashboard,
    EnrolmentReport,
    GroupHealthReport,
    RevenueReport,
    TeacherLoadReport,
)

if TYPE_CHECKING:
    import altair as alt

ACCENT = "#6d3fd1"
LOCALES: dict[str, Literal["es-ES", "en-GB"]] = {"es": "es-ES", "en": "en-GB"}
WIDTH, HEIGHT = 560, 260
TITLES = {
    "en": {
        "attendance": "Attendance rate",
        "revenue": "Expected, collected and received",
        "teachers": "Hours taught",
        "groups": "Enrolled and capacity",
        "enrolment": "Active students",
        "period": "Period",
        "rate": "Rate",
        "amount": "Amount",
        "month": "Month",
        "hours": "Hours",
        "students": "Students",
        "expected": "expected",
        "collected": "collected",
        "received": "received",
    },
    "es": {
        "attendance": "Asistencia",
        "revenue": "Previsto, cobrado y recibido",
        "teachers": "Horas impartidas",
        "groups": "Inscritos y aforo",
        "enrolment": "Alumnos activos",
        "period": "Periodo",
        "rate": "Asistencia",
        "amount": "Importe",
        "month": "Mes",
        "hours": "Horas",
        "students": "Alumnos",
        "expected": "previsto",
        "collected": "cobrado",
        "received": "recibido",
    },
}


def _plain(value: Any) -> Any:
    """Chart data is for drawing: Decimal becomes a float here (never in the reports), dates ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _data(rows: list[BaseModel], *fields: str) -> list[dict[str, Any]]:
    return [{f: _plain(getattr(r, f)) for f in fields} for r in rows]


def _rate_line(points: list[dict[str, Any]], say: dict[str, str], every: str) -> alt.Chart:
    import altair as alt

    time_unit: Literal["yearmonth", "yearmonthdate"] = "yearmonth" if every == "month" else "yearmonthdate"
    return (
        alt.Chart(alt.Data(values=points), title=say["attendance"])
        .mark_line(point=True, color=ACCENT)
        .encode(
            x=alt.X("period:T", timeUnit=time_unit, title=say["period"]),
            y=alt.Y("rate:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title=say["rate"]),
            tooltip=[alt.Tooltip("period:T"), alt.Tooltip("rate:Q", format=".0%"), "marks:Q", "attended:Q"],
        )
    )


def chart(report: BaseModel, *, language: str = "en") -> alt.TopLevelMixin:
    """The chart that says what the report says, as an Altair chart."""
    import altair as alt

    say = TITLES.get(language.split("-")[0], TITLES["en"])
    if isinstance(report, AttendanceReport):
        base = _rate_line(_data(list(report.trend), "period", "rate", "marks", "attended"), say, report.every)
    elif isinstance(report, Dashboard):
        base = _rate_line(
            _data(list(report.attendance_trend), "period", "rate", "marks", "attended"), say, "week"
        )
    elif isinstance(report, RevenueReport):
        kinds: list[Any] = [
            say["expected"],
            say["collected"],
            say["received"],
        ]  # the legend, in the answer's language
        values = [
            {
                "month": _plain(r.month),
                say["expected"]: _plain(r.expected),
                say["collected"]: _plain(r.collected),
            }
            | {say["received"]: _plain(r.received)}
            for r in report.rows
        ]
        base = (
            alt.Chart(alt.Data(values=values))
            .transform_fold(kinds, as_=["kind", "amount"])
            .mark_bar()
            .encode(
                x=alt.X("month:O", timeUnit="yearmonth", title=say["month"]),
                xOffset=alt.XOffset("kind:N", sort=kinds, scale=alt.Scale(domain=kinds)),
                y=alt.Y("amount:Q", title=f"{say['amount']} ({report.currency})"),
                # The kinds named, not found in the data: with no rows (no money in the period) the
                # untitled legend would be sized from nothing and the PNG fail ("SVG has an invalid size").
                color=alt.Color("kind:N", title=None, sort=kinds, scale=alt.Scale(domain=kinds)),
                tooltip=["kind:N", alt.Tooltip("amount:Q", format=",.2f")],
            )
            .properties(title=say["revenue"])
        )
    elif isinstance(report, TeacherLoadReport):
        base = (
            alt.Chart(
                alt.Data(values=_data(list(report.rows), "teacher_name", "hours", "classes", "fill_rate"))
            )
            .mark_bar(color=ACCENT)
            .encode(
                y=alt.Y("teacher_name:N", sort="-x", title=None),
                x=alt.X("hours:Q", title=say["hours"]),
                tooltip=["teacher_name:N", "hours:Q", "classes:Q", alt.Tooltip("fill_rate:Q", format=".0%")],
            )
            .properties(title=say["teachers"])
        )
    elif isinstance(report, GroupHealthReport):
        data = alt.Data(
            values=_data(list(report.rows), "group_name", "enrolled", "capacity", "churn", "rate")
        )
        bars = (
            alt.Chart(data)
            .mark_bar(color=ACCENT)
            .encode(
                y=alt.Y("group_name:N", title=None),
                x=alt.X("enrolled:Q", title=say["students"]),
                tooltip=["group_name:N", "enrolled:Q", "capacity:Q", alt.Tooltip("churn:Q", format=".0%")],
            )
        )
        ticks = (
            alt.Chart(data).mark_tick(color="#1d1b26", thickness=2).encode(y="group_name:N", x="capacity:Q")
        )
        base = alt.layer(bars, ticks).properties(title=say["groups"])  # type: ignore[assignment]
    elif isinstance(report, EnrolmentReport):
        base = (
            alt.Chart(
                alt.Data(values=_data(list(report.rows), "month", "active", "new", "lost")),
                title=say["enrolment"],
            )
            .mark_line(point=True, color=ACCENT)
            .encode(
                x=alt.X("month:T", timeUnit="yearmonth", title=say["month"]),
                y=alt.Y("active:Q", title=say["students"]),
                tooltip=[alt.Tooltip("month:T", timeUnit="yearmonth"), "active:Q", "new:Q", "lost:Q"],
            )
        )
    else:
        raise TypeError(f"no chart for {type(report).__name__}")
    if isinstance(report, TeacherLoadReport | GroupHealthReport):  # one bar per row, however many rows
        return base.properties(width=WIDTH, height=alt.Step(22))
    return base.properties(width=WIDTH, height=HEIGHT)


def chart_spec(report: BaseModel, *, language: str = "en") -> dict[str, Any]:
    """The Vega-Lite spec (JSON), with its data inline: what the web pages hand to vega-embed."""
    spec: dict[str, Any] = chart(report, language=language).to_dict()
    return spec


def chart_png(report: BaseModel, *, language: str = "en", scale: float = 2) -> bytes:
    """The chart as a PNG, drawn offline (no browser, no network: vl-convert's bundled Vega)."""
    import vl_convert

    locale = LOCALES.get(language.split("-")[0])  # numbers and month names as the language writes them
    png: bytes = vl_convert.vegalite_to_png(
        chart_spec(report, language=language), scale=scale, format_locale=locale, time_format_locale=locale
    )
    return png


def stored_chart(directory: Path, org_id: uuid.UUID, kind: str, period: str) -> Path:
    """Where a summary's chart waits for its emails: drawn once when the summary is built (with the
    database at hand), attached when each email is sent (from the notification row alone, no session;
    the row has no payload, so its organization, kind and period name the file)."""
    return directory / str(org_id) / f"{kind}-{period}.png"
