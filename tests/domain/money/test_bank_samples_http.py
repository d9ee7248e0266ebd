"""Every sample statement through POST /bank-imports: imported with the expected line count or refused
with a clear 4xx — never a 500, never a Python repr in the message. Samples: tests/data/statements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from httpx import AsyncClient

from tests.channels.http.helpers import API, Browser, create_org, signup
from tests.conftest import REPORT

STATEMENTS = Path(__file__).resolve().parents[2] / "data" / "statements"
REFUSED = "refused"
# file → lines imported, or REFUSED with a phrase of the reason
EXPECTED: dict[str, int | tuple[str, str]] = {
    "november-generic.csv": 5,
    "november-eu.csv": 2,
    "november.mt940": 3,
    "de-sepa-betterplace.sta": 97,
    "de-with-binary-character.sta": 4,
    "de-cmxl-multi-currency.sta": 16,
    "nl-asn-bank.940.txt": 8,
    "nl-rabobank-iban.sta": 4,
    "nl-ing.sta": 7,
    "nl-knab.sta": 3,
    "nl-abnamro.sta": 10,
    "ch-postfinance.sta": 4,
    "pl-mbank.sta": 3,
    "de-sparkasse-no-currency.sta": (REFUSED, "names no currency"),
    "cmxl-statement-line-only.sta": (REFUSED, "names no currency"),
}
OUTCOMES: Counter[str] = Counter()


def _format(name: str) -> str:
    if name.endswith("-eu.csv"):
        return "csv:eu"
    return "csv:generic" if name.endswith(".csv") else "mt940"


async def _office(make_client: Callable[[], AsyncClient]) -> Browser:
    admin = await signup(make_client(), "bank-admin")
    await create_org(admin, "Bank samples school", country="ES")
    return admin


def test_every_sample_file_has_an_expectation() -> None:
    samples = {p.name for p in STATEMENTS.iterdir() if p.suffix != ".md"}
    assert samples == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_a_sample_statement_imports_or_is_refused_clearly(
    make_client: Callable[[], AsyncClient], name: str
) -> None:
    admin = await _office(make_client)
    response = await admin.client.post(
        f"{API}/bank-imports",
        files={"file": (name, (STATEMENTS / name).read_bytes(), "application/octet-stream")},
        data={"format": _format(name)},
        headers={"X-CSRF-Token": admin.csrf},
    )
    if response.status_code >= 500:
        OUTCOMES["server errors"] += 1
    assert response.status_code < 500, response.text
    expected = EXPECTED[name]
    if isinstance(expected, int):
        OUTCOMES["imported"] += 1
        assert response.status_code == 201, response.text
        assert (response.json()["lines_total"], response.json()["lines_new"]) == (expected, expected)
    else:
        OUTCOMES["refused"] += 1
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert expected[1] in error["message"] and "<" not in error["message"]
        listed = await admin.get("/reconciliation")
        assert listed.json()["bank_lines"] == []  # nothing stored
    REPORT["bank sample statements (this run)"] = (
        f"{sum(OUTCOMES.values())} tried, {OUTCOMES['imported']} imported, {OUTCOMES['refused']} refused, "
        f"{OUTCOMES['server errors']} server errors"
    )


BAD_UPLOADS = {
    "Infinity": (b"date,amount,payer,reference,currency\n2026-11-03,Infinity,A,B,EUR\n", "csv:generic"),
    "1e20": (b"date,amount,payer,reference,currency\n2026-11-03,1e20,A,B,EUR\n", "csv:generic"),
    "binary": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "mt940"),
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
async def test_a_bad_upload_is_a_422_envelope_and_a_good_one_still_imports(
    make_client: Callable[[], AsyncClient], name: str
) -> None:
    admin = await _office(make_client)
    data, fmt = BAD_UPLOADS[name]
    refused = await admin.client.post(
        f"{API}/bank-imports",
        files={"file": ("bad", data, "application/octet-stream")},
        data={"format": fmt},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert refused.status_code == 422, refused.text
    assert set(refused.json()["error"]) == {"code", "message", "details"}
    assert "<" not in refused.json()["error"]["message"]
    good = await admin.client.post(  # the positive control: the same person, a sound file
        f"{API}/bank-imports",
        files={"file": ("good.csv", (STATEMENTS / "november-generic.csv").read_bytes(), "text/csv")},
        data={"format": "csv:generic"},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert good.status_code == 201 and good.json()["lines_new"] == 5
