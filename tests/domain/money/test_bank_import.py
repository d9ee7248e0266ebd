"""Statement import on sample statements written for these tests (tests/data/statements)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.banking import service as banking
from domain.banking.models import BankImport, BankLine, LineStatus
from domain.banking.parsers import PRESETS, parse_csv
from domain.errors import Conflict, Invalid
from domain.payments import service as payments
from domain.payments.models import Payment
from domain.students import service as students
from domain.students.schemas import GuardianIn, StudentIn
from tests.domain.studio import Studio, build_studio

STATEMENTS = Path(__file__).resolve().parents[2] / "data" / "statements"
NOV = date(2026, 11, 1)
NOW = datetime(2026, 11, 26, tzinfo=UTC)


async def school(session: AsyncSession) -> Studio:
    studio = await build_studio(session)
    await students.add_guardian(
        session, studio.admin, studio.students["Ana"].id, data=GuardianIn(full_name="Marta García")
    )
    garces = await students.create_student(session, studio.admin, data=StudentIn(full_name="Ana Garcés"))
    studio.students["Garcés"] = garces
    from domain.groups import memberships

    await memberships.enroll(
        session, studio.admin, student_id=garces.id, group_id=studio.salsa.id, start_date=NOV
    )
    await payments.generate_tuition(session, studio.admin, month=NOV, today=NOV)
    return studio


async def lines_by_date(session: AsyncSession) -> dict[date, BankLine]:
    return {line.booked_on: line for line in (await session.execute(select(BankLine))).scalars()}


async def test_a_csv_statement_is_matched_with_confidence_and_ambiguity_left_to_people(
    session: AsyncSession,
) -> None:
    studio = await school(session)
    data = (STATEMENTS / "november-generic.csv").read_bytes()
    result = await banking.import_statement(
        session, studio.staff, filename="nov.csv", data=data, fmt="csv:generic"
    )
    assert (result.duplicate_file, result.lines_total, result.lines_new) == (False, 5, 5)
    lines = await lines_by_date(session)
    ana, jose = studio.students["Ana"], studio.students["José"]
    assert (lines[date(2026, 11, 3)].status, lines[date(2026, 11, 3)].proposed_student_id) == (
        LineStatus.PROPOSED,
        ana.id,
    )
    assert (lines[date(2026, 11, 4)].status, lines[date(2026, 11, 4)].proposed_student_id) == (
        LineStatus.PROPOSED,
        jose.id,
    )
    ambiguous = lines[date(2026, 11, 5)]  # "A. Garc": Ana García or Ana Garcés?
    assert ambiguous.status is LineStatus.AMBIGUOUS and ambiguous.proposed_student_id is None
    assert {c["name"] for c in ambiguous.candidates} >= {"Ana García", "Ana Garcés"}
    assert lines[date(2026, 11, 6)].status is LineStatus.IGNORED  # money going out
    assert lines[date(2026, 11, 7)].status is LineStatus.UNMATCHED
    assert await session.scalar(select(func.count()).select_from(Payment)) == 0  # proposals are never applied


async def test_re_importing_creates_nothing_twice(session: AsyncSession) -> None:
    studio = await school(session)
    generic = (STATEMENTS / "november-generic.csv").read_bytes()
    await banking.import_statement(session, studio.staff, filename="nov.csv", data=generic, fmt="csv")
    again = await banking.import_statement(
        session, studio.staff, filename="nov-again.csv", data=generic, fmt="csv"
    )
    assert (again.duplicate_file, again.lines_new) == (True, 0)
    # The same transfers in another bank format overlap line for line only where they are identical:
    overlapping = (STATEMENTS / "november.mt940").read_bytes()
    mt = await banking.import_statement(
        session, studio.staff, filename="nov.sta", data=overlapping, fmt="mt940"
    )
    assert mt.lines_total == 3
    assert await session.scalar(select(func.count()).select_from(BankLine)) == 5 + mt.lines_new
    mt_again = await banking.import_statement(
        session, studio.staff, filename="copy.sta", data=overlapping, fmt="mt940"
    )
    assert mt_again.duplicate_file


async def test_the_eu_preset_reads_semicolons_day_first_dates_and_decimal_commas() -> None:
    lines = parse_csv((STATEMENTS / "november-eu.csv").read_bytes(), PRESETS["eu"])
    assert [(line.booked_on, line.amount, line.payer_name) for line in lines] == [
        (date(2026, 11, 3), Decimal("45.00"), "MARTA GARCIA"),
        (date(2026, 11, 8), Decimal("1045.50"), "Sofia Lopez"),
    ]


async def test_a_wrong_mapping_or_format_is_a_clear_error_and_imports_nothing(session: AsyncSession) -> None:
    studio = await school(session)
    data = (STATEMENTS / "november-eu.csv").read_bytes()
    with pytest.raises(Invalid, match="no column"):
        await banking.import_statement(session, studio.staff, filename="x.csv", data=data, fmt="csv:generic")
    with pytest.raises(Invalid):
        await banking.import_statement(session, studio.staff, filename="x.csv", data=data, fmt="csv:nonsense")
    with pytest.raises(Invalid):
        await banking.import_statement(
            session, studio.staff, filename="x.sta", data=b"not mt940", fmt="mt940"
        )
    assert await session.scalar(select(func.count()).select_from(BankLine)) == 0


async def test_confirming_a_proposal_records_and_allocates_a_payment_once(session: AsyncSession) -> None:
    studio = await school(session)
    data = (STATEMENTS / "november-generic.csv").read_bytes()
    await banking.import_statement(session, studio.staff, filename="nov.csv", data=data, fmt="csv")
    lines = await lines_by_date(session)
    payment = await banking.confirm(
        session, studio.staff, lines[date(2026, 11, 3)].id, student_id=None, now=NOW
    )
    assert (payment.student_id, payment.amount, payment.bank_line_id) == (
        studio.students["Ana"].id,
        Decimal("45.00"),
        lines[date(2026, 11, 3)].id,
    )
    with pytest.raises(Conflict):
        await banking.confirm(session, studio.staff, lines[date(2026, 11, 3)].id, student_id=None, now=NOW)
    unpaid = await payments.unpaid_students(session, studio.admin, month=NOV, today=NOV)
    assert "Ana García" not in {s.full_name for s in unpaid.students}
    # The ambiguous line is resolved by a person choosing the student.
    await banking.confirm(
        session, studio.staff, lines[date(2026, 11, 5)].id, student_id=studio.students["Garcés"].id, now=NOW
    )
    with pytest.raises(Invalid):
        await banking.confirm(session, studio.staff, lines[date(2026, 11, 7)].id, student_id=None, now=NOW)
    await banking.ignore(session, studio.staff, lines[date(2026, 11, 7)].id, reason="a gift, not tuition")
    assert [line.booked_on for line in await banking.inbox(session, studio.staff)] == [date(2026, 11, 4)]


async def test_a_transfer_for_two_siblings_is_split(session: AsyncSession) -> None:
    studio = await school(session)
    data = b"date,amount,payer,reference,currency\n2026-11-09,90.00,Familia,Cuotas,EUR\n"
    await banking.import_statement(session, studio.staff, filename="f.csv", data=data, fmt="csv")
    [line] = (await session.execute(select(BankLine))).scalars()
    jose, sofia = studio.students["José"], studio.students["Sofía"]
    with pytest.raises(Invalid):
        await banking.split(
            session, studio.staff, line.id, parts=[(jose.id, Decimal(45)), (sofia.id, Decimal(40))], now=NOW
        )
    made = await banking.split(
        session, studio.staff, line.id, parts=[(jose.id, Decimal(45)), (sofia.id, Decimal(45))], now=NOW
    )
    assert sorted(p.amount for p in made) == [Decimal("45.00"), Decimal("45.00")]
    assert line.status is LineStatus.MATCHED


async def test_a_custom_column_mapping_reads_any_bank_export(session: AsyncSession) -> None:
    from domain.banking.parsers import CsvMapping

    studio = await school(session)
    data = b"Valuta|Betrag|Auftraggeber|Verwendungszweck\n03.11.2026|45,00|Marta Garcia|Ana November\n"
    mapping = CsvMapping(
        date="Valuta",
        amount="Betrag",
        payer="Auftraggeber",
        reference="Verwendungszweck",
        date_format="%d.%m.%Y",
        delimiter="|",
        decimal_comma=True,
    )
    result = await banking.import_statement(
        session, studio.staff, filename="de.csv", data=data, fmt="csv:custom", mapping=mapping
    )
    assert result.by_status == {"proposed": 1}
    [line] = (await session.execute(select(BankLine))).scalars()
    assert (line.amount, line.proposed_student_id) == (Decimal("45.00"), studio.students["Ana"].id)


def test_an_amount_counts_fully_only_near_the_charges_due_date() -> None:
    import uuid

    from domain.banking.matching import Candidate, score
    from domain.banking.parsers import ParsedLine

    candidate = Candidate(
        uuid.uuid4(), "Ana García", ("ana garcia",), ((Decimal("45.00"), date(2026, 11, 5)),)
    )
    near = ParsedLine(date(2026, 11, 3), Decimal("45.00"), "EUR", None, None)
    far = ParsedLine(date(2027, 3, 3), Decimal("45.00"), "EUR", None, None)
    other = ParsedLine(date(2026, 11, 3), Decimal("44.00"), "EUR", None, None)
    assert (score(near, candidate).score, score(far, candidate).score, score(other, candidate).score) == (
        0.2,
        0.1,
        0.0,
    )


async def test_a_statement_whose_file_name_hides_its_type_is_refused_and_nothing_is_stored(
    session: AsyncSession,
) -> None:
    studio = await school(session)
    data = (STATEMENTS / "november-generic.csv").read_bytes()
    for disguised in ("invoice\u202efdp.csv", "nov\x00.csv"):
        with pytest.raises(Invalid):
            await banking.import_statement(
                session, studio.staff, filename=disguised, data=data, fmt="csv:generic"
            )
        assert await session.scalar(select(func.count()).select_from(BankImport)) == 0
    kept = await banking.import_statement(  # the positive control: an ordinary name imports
        session, studio.staff, filename="noviembre.csv", data=data, fmt="csv:generic"
    )
    assert kept.lines_total == 5


async def test_every_new_line_is_stored_when_the_rows_go_in_pages(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are stored a page at a time as lines are matched: full pages, a last partial page, and lines
    imported before skipped in between all end up stored once (pages of two, so five lines make three)."""
    monkeypatch.setattr(banking, "BATCH", 2)
    studio = await school(session)
    generic = (STATEMENTS / "november-generic.csv").read_bytes()
    first = await banking.import_statement(session, studio.staff, filename="nov.csv", data=generic, fmt="csv")
    assert first.lines_new == 5 and sum(first.by_status.values()) == 5
    assert await session.scalar(select(func.count()).select_from(BankLine)) == 5
    overlapping = (STATEMENTS / "november.mt940").read_bytes()  # some of its lines are already there
    mt = await banking.import_statement(
        session, studio.staff, filename="nov.sta", data=overlapping, fmt="mt940"
    )
    assert await session.scalar(select(func.count()).select_from(BankLine)) == 5 + mt.lines_new
    assert sum(mt.by_status.values()) == mt.lines_new
