"""The fast statement matcher (``shortlist.Matcher``) proposes exactly what the matcher it replaced did.

The reference below is the scoring as it was before the import was made fast (``_score`` and ``propose``
of ``domain/banking/matching.py`` at b8e18ef, copied verbatim): every line is scored against every
student. The fast path scores a line only against the students it may name or pay; every other student
must score 0. A seeded, varied set of lines — payers and references naming students or guardians in
full, with typos, initials, truncations, surnames only, given names only, short and one-letter words;
amounts that pay one charge, a run of charges, all of them, an old one, nothing; refunds; namesakes that
tie; charges out of date order — is proposed both ways and must agree on every status, proposal, score,
reason and candidate order.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.banking.formats.lines import ParsedLine
from domain.banking.matching import (
    AMOUNT_WINDOW_DAYS,
    CONFIDENT,
    LEAD,
    NAME_WEIGHT,
    WORTH_SHOWING,
    Candidate,
    Proposal,
    Scored,
    Texts,
    _person,
    _texts,
    name_level,
    propose,
)
from domain.banking.models import LineStatus
from domain.banking.shortlist import Matcher
from domain.text import fold


def reference_score(line: ParsedLine, candidate: Candidate, texts: Texts) -> Scored:
    reasons = []
    total = 0.0
    best, where, who = 0.0, "", candidate.name
    together = texts[-1][0]  # payer and reference: whatever either names, this names too
    for index, alias in enumerate(candidate.aliases):
        person = _person(alias)
        if not any(together.match(word) for word in (*person.given, *person.surnames)):
            continue  # no word of this name anywhere in the line: every level is 0 (most candidates)
        for text, label, discount in texts:
            level = name_level(person, text) * discount
            if level > best:
                best, where, who = level, label, candidate.name if index == 0 else f"guardian {alias}"
    if best:
        total += NAME_WEIGHT * best
        reasons.append(f"{who} named in {where} ({best:.0%})")
    amounts = [amount for amount, _ in candidate.owed]
    near = [
        amount for amount, due in candidate.owed if abs((line.booked_on - due).days) <= AMOUNT_WINDOW_DAYS
    ]
    if line.amount in near or (near and line.amount == sum(near)):
        total += 0.2
        reasons.append("amount equals what is owed around that date")
    elif line.amount in amounts or (amounts and line.amount == sum(amounts)):
        total += 0.1
        reasons.append("amount equals an older or later charge")
    return Scored(candidate.student_id, candidate.name, round(total, 3), tuple(reasons))


def reference_propose(line: ParsedLine, candidates: Sequence[Candidate], *, keep: int = 5) -> Proposal:
    if line.amount <= 0:
        return Proposal(LineStatus.IGNORED, None, ())
    texts = _texts(line)
    ranked = sorted((reference_score(line, c, texts) for c in candidates), key=lambda s: (-s.score, s.name))
    shown = tuple(s for s in ranked[:keep] if s.score >= WORTH_SHOWING)
    if not shown:
        return Proposal(LineStatus.UNMATCHED, None, ())
    best = shown[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= CONFIDENT and best.score - runner_up >= LEAD:
        return Proposal(LineStatus.PROPOSED, best, shown)
    return Proposal(LineStatus.AMBIGUOUS, None, shown)


GIVEN = ["Lucía", "María José", "Ana", "Jo", "Iñaki", "Pau", "Xiana", "Noé", "Li", "Aitana", "Bo", "Martina"]
SURNAMES = ["García", "Fernández", "de la Fuente", "Wu", "Núñez", "Ortega", "Ruiz", "Sanz", "Ng", "Pérez"]
STRANGERS = ["IBERDROLA CLIENTES", "AMAZON EU SARL", "COMISION MANTENIMIENTO", "LOPEZ MARTIN SL", "J PEREZ"]
BOOKED = date(2026, 11, 4)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + rng.choice("aeiourxz") + word[at + 1 :]


def _mention(name: str, rng: random.Random) -> str:
    """How a bank line may write a person's name: whole, reordered, with a typo, an initial, truncated…"""
    words = name.split()
    match rng.randrange(8):
        case 0:
            return name.upper()
        case 1:
            return " ".join([*words[-2:], *words[:-2]]).upper()  # SURNAME1 SURNAME2 GIVEN
        case 2:
            return " ".join(_typo(w, rng) for w in words)
        case 3:
            return f"{words[0][0]}. {' '.join(words[1:])}"
        case 4:
            return " ".join(w[:4] for w in words)
        case 5:
            return " ".join(words[1:])
        case 6:
            return words[0]
        case _:
            return words[-1]


def _candidates(rng: random.Random) -> list[Candidate]:
    candidates: list[Candidate] = []
    for number in range(60):
        name = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
        if number % 13 == 0 and candidates:
            name = candidates[-1].name  # namesakes: a tie broken only by their order
        guardians = [
            f"{rng.choice(GIVEN)} {name.split()[-2]} {rng.choice(SURNAMES)}" for _ in range(rng.randrange(3))
        ]
        fees = [Decimal(rng.choice(["45.00", "30.00", "60.00", "12.50"])) for _ in range(rng.randrange(5))]
        dues = [BOOKED + timedelta(days=rng.randrange(-150, 60)) for _ in fees]
        owed = sorted(zip(fees, dues, strict=True), key=lambda pair: pair[1])
        if number % 17 == 5 and len(owed) >= 3:
            owed = owed[1:] + owed[:1]  # not in date order: the fast path must score this student every time
        aliases = (fold(name), *(fold(g) for g in guardians))
        candidates.append(Candidate(uuid.UUID(int=number), name, aliases, tuple(owed)))
    return candidates


def _lines(candidates: list[Candidate], rng: random.Random) -> list[ParsedLine]:
    lines = []
    for number in range(500):
        someone = rng.choice(candidates)
        people = [someone.name, *someone.aliases[1:]]
        payer = rng.choice([_mention(rng.choice(people), rng), rng.choice(STRANGERS), None, ""])
        reference = rng.choice([f"Cuota {_mention(someone.name, rng)}", f"Ref {number}", None, "X", "a b c"])
        owed = [amount for amount, _ in someone.owed]
        amount = rng.choice(
            [
                *owed,
                sum(owed, Decimal(0)),
                Decimal("45.00"),
                Decimal("90.00"),
                Decimal("-45.00"),
                Decimal("7.31"),
            ]
        )
        booked = BOOKED + timedelta(days=rng.randrange(-90, 90))
        lines.append(
            ParsedLine(booked_on=booked, amount=amount, currency="EUR", payer_name=payer, reference=reference)
        )
    return lines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_matcher_proposes_what_scoring_everyone_did(seed: int) -> None:
    rng = random.Random(seed)
    candidates = _candidates(rng)
    lines = _lines(candidates, rng)
    matcher = Matcher(candidates)
    expected = [reference_propose(line, candidates) for line in lines]
    assert [matcher.propose(line) for line in lines] == expected
    assert [matcher.propose(line) for line in reversed(lines)] == expected[::-1]  # remembered, not stale
    assert [propose(line, candidates) for line in lines] == expected  # the simple path, refactored, too
    statuses = {proposal.status for proposal in expected}
    assert statuses == set(LineStatus) - {LineStatus.MATCHED}  # the set covers every outcome


def test_keep_and_a_lone_candidate_agree_too() -> None:
    rng = random.Random(9)
    candidates = _candidates(rng)
    lines = _lines(candidates, rng)[:100]
    for keep in (1, 2):
        matcher = Matcher(candidates)
        assert [matcher.propose(line, keep=keep) for line in lines] == [
            reference_propose(line, candidates, keep=keep) for line in lines
        ]
    alone = candidates[:1]
    assert [Matcher(alone).propose(line) for line in lines] == [
        reference_propose(line, alone) for line in lines
    ]
    assert [Matcher([]).propose(line) for line in lines] == [reference_propose(line, []) for line in lines]


def test_charges_out_of_date_order_are_still_summed_around_the_date() -> None:
    """The charges due around a date are a run only when sorted by due date; a caller that passes them in
    another order still gets the sum found (that student is scored on every line)."""
    owed = (
        (Decimal("10.00"), date(2026, 11, 1)),
        (Decimal("20.00"), date(2027, 3, 1)),
        (Decimal("40.00"), date(2026, 12, 1)),
    )
    payer = Candidate(uuid.UUID(int=1), "Ana Ruiz Sanz", ("ana ruiz sanz",), owed)
    other = Candidate(uuid.UUID(int=2), "Pau Wu Ng", ("pau wu ng",), ())
    line = ParsedLine(
        booked_on=date(2026, 11, 15),
        amount=Decimal("50.00"),
        currency="EUR",
        payer_name=None,
        reference="Ruiz Sanz",
    )
    expected = reference_propose(line, [payer, other])
    assert expected.candidates[0].reasons[-1] == "amount equals what is owed around that date"
    assert Matcher([payer, other]).propose(line) == expected
