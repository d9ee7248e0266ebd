"""Who sent this transfer? A confidence score from names, references, amounts — proposals, never decisions.

Scores (0–1) add up from: the payer's name against the student's and guardians' names (0.55), a
student's or guardian's full name inside the transfer's reference (0.25), and the amount equal to
what the student owes on a charge due within 60 days of the transfer (0.2; an amount that matches
only an older or later charge counts 0.1). A line is *proposed* only when the best candidate is confident
(≥ 0.75) and clearly ahead of the next (by 0.15); otherwise a human picks among the candidates.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapidfuzz import fuzz

from domain.banking.models import LineStatus
from domain.banking.parsers import ParsedLine
from domain.text import fold

CONFIDENT = 0.75
LEAD = 0.15
WORTH_SHOWING = 0.4
AMOUNT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Candidate:
    student_id: uuid.UUID
    name: str
    aliases: tuple[str, ...]  # folded names: the student's and their guardians'
    owed: tuple[tuple[Decimal, date], ...]  # (outstanding, due date) of open charges, oldest first


@dataclass(frozen=True)
class Scored:
    student_id: uuid.UUID
    name: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    status: LineStatus
    best: Scored | None
    candidates: tuple[Scored, ...]


def score(line: ParsedLine, candidate: Candidate) -> Scored:
    payer = fold(line.payer_name or "")
    reference = fold(line.reference or "")
    reasons = []
    total = 0.0
    if payer:
        name_score = max((fuzz.token_set_ratio(payer, alias) for alias in candidate.aliases), default=0) / 100
        if name_score >= 0.7:
            total += 0.55 * name_score
            reasons.append(f"payer name {name_score:.0%} like {candidate.name}")
    if reference:
        ref_score = (
            max((fuzz.partial_token_set_ratio(alias, reference) for alias in candidate.aliases), default=0)
            / 100
        )
        if ref_score >= 0.8:
            total += 0.3 * ref_score
            reasons.append("name in the reference")
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


def propose(line: ParsedLine, candidates: Sequence[Candidate], *, keep: int = 3) -> Proposal:
    if line.amount <= 0:
        return Proposal(LineStatus.IGNORED, None, ())
    ranked = sorted((score(line, c) for c in candidates), key=lambda s: (-s.score, s.name))
    shown = tuple(s for s in ranked[:keep] if s.score >= WORTH_SHOWING)
    if not shown:
        return Proposal(LineStatus.UNMATCHED, None, ())
    best = shown[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= CONFIDENT and best.score - runner_up >= LEAD:
        return Proposal(LineStatus.PROPOSED, best, shown)
    return Proposal(LineStatus.AMBIGUOUS, None, shown)
