"""Which column holds what: guessed from the header in English or Spanish, overridable by the person.

Fields: ``full_name`` (or ``first_name`` + ``last_name``), ``email``, ``phone``, ``date_of_birth``,
``notes``, ``family``, ``groups``, ``start_date`` and, for up to four guardians, ``guardianN_name``,
``guardianN_relationship``, ``guardianN_email``, ``guardianN_phone``. A header that says "madre" or
"father" also gives the guardian's relationship.
"""

from __future__ import annotations

import re

from domain.errors import Invalid
from domain.text import fold

MAX_GUARDIANS = 4
PLAIN = {
    "full_name": {
        "full name",
        "name",
        "student",
        "student name",
        "student full name",
        "dancer",
        "nombre completo",
        "nombre y apellidos",
        "alumno",
        "alumna",
        "alumno a",
        "nombre del alumno",
        "nombre alumno",
        "estudiante",
        "bailarin",
        "bailarina",
    },
    "first_name": {"first name", "given name", "forename", "nombre", "nombre de pila"},
    "last_name": {"last name", "surname", "family name", "apellidos", "apellido", "primer apellido"},
    "email": {"email", "e mail", "mail", "email address", "correo", "correo electronico", "email alumno"},
    "phone": {
        "phone",
        "telephone",
        "phone number",
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "telefono",
        "movil",
        "tlf",
        "tfno",
        "tel",
        "celular",
        "whatsapp",
        "numero de telefono",
    },
    "date_of_birth": {
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "dob",
        "born",
        "fecha de nacimiento",
        "fecha nacimiento",
        "f nacimiento",
        "nacimiento",
        "cumpleanos",
    },
    "notes": {"notes", "note", "comments", "remarks", "observaciones", "notas", "comentarios", "nota"},
    "family": {"family", "family id", "siblings", "familia", "hermanos", "unidad familiar"},
    "groups": {
        "groups",
        "group",
        "classes",
        "class",
        "grupos",
        "grupo",
        "clases",
        "clase",
        "cursos",
        "curso",
    },
    "start_date": {
        "start date",
        "since",
        "member since",
        "joined",
        "enrolled",
        "enrolment date",
        "enrollment date",
        "fecha de alta",
        "alta",
        "desde",
        "fecha de inicio",
        "inicio",
        "fecha inscripcion",
    },
}
GUARDIAN_WORDS = {
    "guardian": None,
    "parent": None,
    "tutor": None,
    "tutora": None,
    "responsable": None,
    "contact": None,
    "mother": "mother",
    "mum": "mother",
    "mom": "mother",
    "father": "father",
    "dad": "father",
    "madre": "madre",
    "padre": "padre",
    "contacto": None,
}
GUARDIAN_PARTS = {
    "name": {"", "name", "full name", "nombre", "nombre completo"},
    "relationship": {"relationship", "relation", "parentesco", "relacion"},
    "email": PLAIN["email"],
    "phone": PLAIN["phone"],
}
STOP_WORDS = {"de", "del", "la", "el", "of", "the", "s"}
FIELDS = (
    *PLAIN,
    *(f"guardian{n}_{part}" for n in range(1, MAX_GUARDIANS + 1) for part in GUARDIAN_PARTS),
)


def _words(header: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).split()


def _guardian(words: list[str]) -> tuple[str, str, str | None] | None:
    """(slot, part, implied relationship) for a guardian's column, e.g. "Teléfono madre" → madre/phone."""
    found = [w for w in words if w in GUARDIAN_WORDS]
    if not found:
        return None
    number = next((w for w in words if w.isdigit()), None)
    rest = " ".join(w for w in words if w not in GUARDIAN_WORDS and not w.isdigit() and w not in STOP_WORDS)
    part = next((p for p, names in GUARDIAN_PARTS.items() if rest in names), None)
    if part is None:
        return None
    return number or found[0], part, GUARDIAN_WORDS[found[0]]


def guess(headers: list[str]) -> tuple[dict[int, str], dict[int, str]]:
    """Column index → field for the headers it recognises, and the relationship a header implies
    (guardian name column index → "madre")."""
    mapping: dict[int, str] = {}
    implied: dict[int, str] = {}
    slots: list[str] = []
    for index, header in enumerate(headers):
        words = _words(header)
        phrase = " ".join(words)
        plain = next((f for f, names in PLAIN.items() if phrase in names), None)
        if plain is not None and plain not in mapping.values():
            mapping[index] = plain
            continue
        guardian = _guardian(words)
        if guardian is None:
            continue
        slot, part, relationship = guardian
        if slot not in slots:
            slots.append(slot)
        n = slots.index(slot) + 1
        key = f"guardian{n}_{part}"
        if n <= MAX_GUARDIANS and key not in mapping.values():
            mapping[index] = key
            if relationship and part == "name":
                implied[index] = relationship
    return mapping, implied


def apply_overrides(
    headers: list[str], mapping: dict[int, str], overrides: dict[str, str | None]
) -> dict[int, str]:
    """The person's choices win: ``{"Tlf. casa": "phone", "Comentario": null}`` (null: ignore the column)."""
    result = dict(mapping)
    for header, chosen in overrides.items():
        if header not in headers:
            raise Invalid(
                "The file has no column {header!r}.", values={"header": header}, details={"field": "mapping"}
            )
        if chosen is not None and chosen not in FIELDS:
            raise Invalid(
                "Unknown field {chosen!r} for column {header!r}.",
                values={"chosen": chosen, "header": header},
                details={"field": "mapping", "fields": list(FIELDS)},
            )
        index = headers.index(header)
        result = {i: f for i, f in result.items() if i != index and f != chosen}
        if chosen is not None:
            result[index] = chosen
    return result


def require_name(headers: list[str], mapping: dict[int, str]) -> None:
    fields = set(mapping.values())
    if "full_name" not in fields and "first_name" not in fields:
        raise Invalid(
            "No column with the students' names: name one 'Full name' / 'Nombre completo' (or 'Nombre' "
            "and 'Apellidos'), or choose it in the mapping.",
            details={"field": "mapping", "headers": headers, "missing": ["full_name"]},
        )
