"""Who sent this transfer? A table of real-looking cases, scored without a database.

Spanish payers usually write "SURNAME1 SURNAME2 GIVEN-NAME"; a parent pays for a child, so the payer
is often the parent and the reference names the child. One shared surname is not enough to name a
student; the amount owed decides between two otherwise equal candidates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from domain.banking.matching import Candidate, propose
from domain.banking.models import LineStatus
from domain.banking.parsers import ParsedLine
from domain.text import fold

BOOKED = date(2026, 11, 4)
DUE = date(2026, 11, 1)


@dataclass(frozen=True)
class Pupil:
    name: str
    owes: str | None = "45.00"
    guardians: tuple[str, ...] = ()

    def candidate(self) -> Candidate:
        owed = ((Decimal(self.owes), DUE),) if self.owes else ()
        aliases = (fold(self.name), *(fold(g) for g in self.guardians))
        return Candidate(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.name}|{self.owes}"), self.name, aliases, owed)


@dataclass(frozen=True)
class Case:
    payer: str | None
    reference: str | None
    amount: str
    school: tuple[Pupil, ...]
    status: LineStatus
    proposed: str | None = None  # the student proposed, when the status is PROPOSED
    shown: tuple[str, ...] = ()  # students that must be among the candidates (in this order, first ones)
    not_proposed: str | None = None  # a student who must not be proposed
    proposed_owes: str | None = None  # when two candidates share a name: the one owing this


LEO = Pupil("Leo Blanco García")
CARMEN = Pupil("Carmen Blanco García")
ANA = Pupil("Ana García", guardians=("Marta García Pérez",))
GARCES = Pupil("Ana Garcés")
JOSE = Pupil("José Martínez Ruiz")
SOFIA = Pupil("Sofía López Fernández")
LUCIA_SIB = Pupil("Lucía Pérez Gómez", owes="45.00")
PABLO_SIB = Pupil("Pablo Pérez Gómez", owes="60.00")
LUCIA_G = Pupil("Lucía Pérez Gómez", owes="45.00", guardians=("Antonio Pérez Sanz",))
PABLO_G = Pupil("Pablo Pérez Gómez", owes="60.00", guardians=("Antonio Pérez Sanz",))

CASES: dict[str, Case] = {
    "spanish order, both surnames then the given name": Case(
        "MARTINEZ RUIZ JOSE",
        "CUOTA NOVIEMBRE",
        "45.00",
        (JOSE, SOFIA),
        LineStatus.PROPOSED,
        "José Martínez Ruiz",
    ),
    "accents and capitals, amount not owed: the full name alone is enough": Case(
        "LOPEZ FERNANDEZ SOFIA", None, "50.00", (JOSE, SOFIA), LineStatus.PROPOSED, "Sofía López Fernández"
    ),
    "a parent pays, the child is named only in the reference": Case(
        "BLANCO GARCIA MARIA",
        "CUOTA NOVIEMBRE CARMEN BLANCO",
        "45.00",
        (LEO, CARMEN),
        LineStatus.PROPOSED,
        "Carmen Blanco García",
        shown=("Carmen Blanco García",),
        not_proposed="Leo Blanco García",
    ),
    "a registered guardian pays and names the child by first name": Case(
        "GARCIA PEREZ MARTA", "Cuota Ana", "45.00", (ANA, GARCES), LineStatus.PROPOSED, "Ana García"
    ),
    "one shared surname alone is not a match": Case(
        "BLANCO RUIZ PEDRO",
        "TRANSFERENCIA",
        "45.00",
        (LEO, JOSE),
        LineStatus.AMBIGUOUS,
        not_proposed="Leo Blanco García",
    ),
    "siblings share a guardian: the amount decides": Case(
        "PEREZ SANZ ANTONIO",
        "CUOTAS",
        "60.00",
        (LUCIA_G, PABLO_G),
        LineStatus.PROPOSED,
        "Pablo Pérez Gómez",
        proposed_owes="60.00",
    ),
    "siblings by surnames only: unsure, both shown, the amount-matching one first": Case(
        "PEREZ GOMEZ ANTONIO",
        None,
        "60.00",
        (LUCIA_SIB, PABLO_SIB),
        LineStatus.AMBIGUOUS,
        shown=("Pablo Pérez Gómez", "Lucía Pérez Gómez"),
    ),
    "siblings by surnames, the reference names one child": Case(
        "PEREZ GOMEZ ANTONIO",
        "CUOTA LUCIA",
        "45.00",
        (LUCIA_SIB, PABLO_SIB),
        LineStatus.PROPOSED,
        "Lucía Pérez Gómez",
    ),
    "a payer nobody matches gets no proposal": Case(
        "HIDRAULICA DEL NORTE SL", "FACTURA 2231", "45.00", (ANA, JOSE, SOFIA), LineStatus.UNMATCHED
    ),
    "an initial and a truncated surname stay ambiguous": Case(
        "A. Garc",
        "cuota",
        "45.00",
        (ANA, GARCES, JOSE),
        LineStatus.AMBIGUOUS,
        shown=("Ana Garcés", "Ana García"),
    ),
    "a compound given name in Spanish order": Case(
        "LOPEZ FERNANDEZ MARIA JOSE",
        None,
        "45.00",
        (Pupil("María José López Fernández"), SOFIA),
        LineStatus.PROPOSED,
        "María José López Fernández",
    ),
    "no payer, the reference gives surname then given name with accents": Case(
        None, "Cuota Núñez Íñigo", "45.00", (Pupil("Íñigo Núñez"), JOSE), LineStatus.PROPOSED, "Íñigo Núñez"
    ),
    "the same given name: the surname decides": Case(
        "GARCIA LOPEZ ANA",
        None,
        "45.00",
        (Pupil("Ana García López"), Pupil("Ana Martín")),
        LineStatus.PROPOSED,
        "Ana García López",
    ),
    "a typo in a surname still names the student": Case(
        "MARTINES RUIZ JOSE", None, "45.00", (JOSE, SOFIA), LineStatus.PROPOSED, "José Martínez Ruiz"
    ),
    "two students with the same name: the amount decides": Case(
        "ANA TORRES",
        None,
        "60.00",
        (Pupil("Ana Torres", "45.00"), Pupil("Ana Torres", "60.00")),
        LineStatus.PROPOSED,
        "Ana Torres",
        proposed_owes="60.00",
    ),
    "a surname alone in the reference is not a match": Case(
        None, "CUOTA BLANCO", "45.00", (LEO, JOSE), LineStatus.AMBIGUOUS, not_proposed="Leo Blanco García"
    ),
    "money going out is set aside": Case("MARTINEZ RUIZ JOSE", None, "-45.00", (JOSE,), LineStatus.IGNORED),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_matching_table(case: Case) -> None:
    line = ParsedLine(BOOKED, Decimal(case.amount), "EUR", case.payer, case.reference)
    candidates = [pupil.candidate() for pupil in case.school]
    proposal = propose(line, candidates)
    shown = [c.name for c in proposal.candidates]
    assert proposal.status is case.status, (proposal.status, shown, [c.score for c in proposal.candidates])
    if case.proposed:
        assert proposal.best is not None and proposal.best.name == case.proposed
        chosen = next(c for c in candidates if c.student_id == proposal.best.student_id)
        assert not case.proposed_owes or chosen.owed[0][0] == Decimal(case.proposed_owes)
    assert shown[: len(case.shown)] == list(case.shown)
    if case.not_proposed:
        assert proposal.best is None or proposal.best.name != case.not_proposed
